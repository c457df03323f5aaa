// Running engine work with the GIL released, in a way that survives interpreter exit.
//
// At exit, a daemon thread that asks for the GIL back is ended by CPython with pthread_exit,
// which unwinds the thread's C++ frames. pybind11's gil_scoped_release takes the GIL back in a
// destructor (implicitly noexcept): the unwind reaches it and std::terminate aborts the process.
// Here the GIL is taken back in ordinary code, so the unwind passes through.
#pragma once

#include <pybind11/pybind11.h>

#include <exception>
#include <utility>

#if defined(__GLIBCXX__)
#include <cxxabi.h>
#endif

namespace lrkit {

#if defined(__GLIBCXX__)
// The exception pthread_exit unwinds a thread with (glibc): caught only to be rethrown.
using ForcedUnwind = abi::__forced_unwind;
#else
struct ForcedUnwind {};  // no such unwind to tell apart: never thrown
#endif

template <class Work>
auto without_gil(Work&& work) -> decltype(work()) {
  PyThreadState* state = PyEval_SaveThread();
  std::exception_ptr error;
  decltype(work()) result{};
  try {
    result = work();
  } catch (const ForcedUnwind&) {
    throw;  // the thread is being ended (it cannot hold the GIL again): let it go
  } catch (...) {
    error = std::current_exception();
  }
  PyEval_RestoreThread(state);  // may end this thread at exit: nothing noexcept is on the way
  if (error) std::rethrow_exception(error);
  return result;
}

}  // namespace lrkit
