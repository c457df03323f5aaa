// A small persistent pool of worker threads for the table drivers: starting std::threads on
// every table costs tens of microseconds, a wake-up a few. Pure C++17.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define LRKIT_POOL_ATFORK 1
#endif

namespace lrkit {

// Threads for tables: LRKIT_NUM_THREADS if set (>= 1), else the hardware's, at most 4.
inline int max_threads() {
  static const int count = [] {
    if (const char* env = std::getenv("LRKIT_NUM_THREADS")) {
      const int v = std::atoi(env);
      if (v >= 1) return v;
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return static_cast<int>(std::clamp(hw, 1u, 4u));
  }();
  return count;
}

// Runs part(k) for k in [0, parts) on up to max_threads() threads, the caller taking part 0.
// One job at a time: a caller that finds the pool busy (another thread's table) runs its parts
// itself, so callers never wait on each other. Workers that cannot be started (resource limits)
// are simply fewer workers. The pool is never destroyed: its threads wait on a condition
// variable until the process ends, so exit never joins (or aborts on) a running worker.
class Pool {
 public:
  static Pool& instance() {
    static Pool* pool = new Pool();  // leaked on purpose: no destructor runs at exit
    return *pool;
  }

  // The number of threads a job can use now (>= 1).
  int width() {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(workers_) + 1;
  }

  void run(int parts, const std::function<void(int)>& part) {
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(std::max(parts, 1)));
    const std::function<void(int)> guarded = [&](int k) {
      try {
        part(k);
      } catch (...) {
        errors[static_cast<std::size_t>(k)] = std::current_exception();
      }
    };
    std::unique_lock<std::mutex> job_lock(job_mutex_, std::try_to_lock);
    if (parts <= 1 || !job_lock.owns_lock()) {
      for (int k = 0; k < parts; ++k) guarded(k);
    } else {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        const int helpers = std::min(parts - 1, static_cast<int>(workers_));
        job_ = &guarded;
        next_ = 1;
        parts_ = parts;
        seats_ = busy_ = helpers;
        ++generation_;
        posted_.store(generation_, std::memory_order_release);
      }
      wake_.notify_all();
      // The caller takes part 0 and then any part no worker has claimed.
      guarded(0);
      for (int k = claim(); k >= 0; k = claim()) guarded(k);
      std::unique_lock<std::mutex> lock(mutex_);
      busy_ -= seats_;  // seats no worker has taken yet: nothing is left for them
      seats_ = 0;
      done_.wait(lock, [&] { return busy_ == 0; });
      job_ = nullptr;
    }
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  }

 private:
  Pool() {
#ifdef LRKIT_POOL_ATFORK
    // A forked child (a DataLoader worker) has none of the workers: it runs tables alone.
    pthread_atfork(nullptr, nullptr, [] { instance().reset_after_fork(); });
#endif
    const int wanted = max_threads() - 1;
    for (int k = 0; k < wanted; ++k) {
      try {
        std::thread(&Pool::work, this).detach();
        ++workers_;
      } catch (const std::system_error&) {
        break;  // fewer threads: tables are the same, only slower
      }
    }
  }

  void reset_after_fork() {
    new (&job_mutex_) std::mutex();
    new (&mutex_) std::mutex();
    new (&wake_) std::condition_variable();
    new (&done_) std::condition_variable();
    job_ = nullptr;
    next_ = parts_ = seats_ = busy_ = 0;
    workers_ = 0;
    posted_.store(generation_);
  }

  // The next unclaimed part of the current job, or -1.
  int claim() {
    std::lock_guard<std::mutex> lock(mutex_);
    return next_ < parts_ ? next_++ : -1;
  }

  void work() {
    unsigned long seen = 0;
    for (;;) {
      // Spin a little before sleeping: back-to-back tables (a training loop's chunks, a
      // benchmark) then start without the tens of microseconds a wake-up costs.
      for (int spin = 0; spin < kSpins && posted_.load(std::memory_order_acquire) == seen; ++spin)
        relax();
      const std::function<void(int)>* job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen && seats_ > 0; });
        seen = generation_;
        --seats_;
        job = job_;
      }
      for (int k = claim(); k >= 0; k = claim()) (*job)(k);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--busy_ == 0) done_.notify_one();
    }
  }

  // About 20-80 us of pause instructions.
  static constexpr int kSpins = 1 << 12;

  static void relax() {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }

  std::atomic<unsigned long> posted_{0};  // generation_, readable without the mutex
  std::mutex job_mutex_;  // held by the caller whose job the workers run
  std::mutex mutex_;      // guards everything below
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  int next_ = 0, parts_ = 0, seats_ = 0, busy_ = 0;
  unsigned long generation_ = 0;
  unsigned workers_ = 0;
};

}  // namespace lrkit
