// Python constructors for the engine's nodes. Arguments are validated in Python (the public API);
// here they are only converted. Python-only schedules become Callback nodes.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <limits>
#include <string>

#include "bindings.hpp"
#include "gil.hpp"
#include "combinators.hpp"
#include "primitives.hpp"

namespace py = pybind11;

namespace lrkit {
namespace {

// Calls a Python function once per block with the steps as an int64 array; it must return a
// C-contiguous float64 array of the same length (lrkit.engine wraps user code to ensure this).
//
// fill takes the GIL with the C API and holds Python objects without RAII: at interpreter exit
// CPython ends a daemon thread that waits for the GIL (inside PyGILState_Ensure, or inside the
// call when the callback's Python code gives the GIL up) with pthread_exit. That unwind must not
// run a destructor that touches Python: the thread no longer holds the GIL, and giving it back
// (or a DECREF) would crash the exiting process. So on that unwind everything is left as it is.
class Callback final : public Node {
 public:
  explicit Callback(py::function fn) : fn_(std::move(fn)) {}
  bool native() const override { return false; }
  ~Callback() override {
    py::gil_scoped_acquire gil;
    fn_ = py::object();
  }
  void fill(Step t0, Step n, double* out) const override {
    const PyGILState_STATE gil = PyGILState_Ensure();
    PyObject* steps = nullptr;
    PyObject* result = nullptr;
    try {
      steps = py::array_t<std::int64_t>(static_cast<py::ssize_t>(n)).release().ptr();
      auto* s = reinterpret_cast<std::int64_t*>(py::detail::array_proxy(steps)->data);
      for (Step i = 0; i < n; ++i) s[i] = t0 + i;
      result = PyObject_CallOneArg(fn_.ptr(), steps);
      if (result == nullptr) throw py::error_already_set();
      copy_values(result, n, out);
    } catch (const ForcedUnwind&) {
      throw;  // the thread is being ended without the GIL: leave every object alone
    } catch (...) {
      Py_XDECREF(steps);
      Py_XDECREF(result);
      PyGILState_Release(gil);
      throw;
    }
    Py_DECREF(steps);
    Py_DECREF(result);
    PyGILState_Release(gil);
  }

 private:
  static void copy_values(PyObject* result, Step n, double* out) {
    const py::handle handle(result);
    if (!py::isinstance<py::array_t<double>>(handle))
      throw py::type_error("schedule callback must return a float64 numpy array");
    const auto* a = py::detail::array_proxy(result);
    const bool contiguous = (a->flags & py::detail::npy_api::NPY_ARRAY_C_CONTIGUOUS_) != 0;
    const Step size = a->nd == 1 ? static_cast<Step>(a->dimensions[0]) : -1;
    if (size != n || !contiguous)
      throw py::value_error("schedule callback returned " +
                            std::to_string(py::reinterpret_borrow<py::array>(handle).size()) +
                            " values for " + std::to_string(n) + " steps");
    const auto* v = reinterpret_cast<const double*>(a->data);
    std::copy(v, v + n, out);
  }

  py::object fn_;
};

template <class T>
using NodeClass = py::class_<T, Node, std::shared_ptr<T>>;

}  // namespace

void register_nodes(py::module_& m) {
  py::class_<Node, std::shared_ptr<Node>>(m, "Node",
                                          "A lowered schedule: fills ranges of steps in C++.")
      .def(
          "values",
          [](const Node& self, Step start, Step n) {
            if (start < 0 || n < 0 || start > kMaxStep || n > kMaxStep + 1 - start)
              throw py::value_error("values(start, n) needs 0 <= start, 0 <= n and steps <= 2**53");
            py::array_t<double> out(static_cast<py::ssize_t>(n));
            double* data = out.mutable_data();
            without_gil([&] {
              self.fill(start, n, data);
              return 0;
            });
            return out;
          },
          py::arg("start"), py::arg("n"),
          "Values of steps start .. start+n-1 (no block splitting, no finiteness check).")
      .def_property_readonly("native", &Node::native,
                             "False when the node calls back into Python (a Python schedule "
                             "somewhere in it): its tables are then filled on one thread.");

  NodeClass<Constant>(m, "Constant").def(py::init<double>(), py::arg("value"));
  NodeClass<Linear>(m, "Linear")
      .def(py::init<double, double, Step>(), py::arg("start"), py::arg("end"), py::arg("length"));
  NodeClass<Cosine>(m, "Cosine")
      .def(py::init<double, double, Step, double, double>(), py::arg("start"), py::arg("end"),
           py::arg("length"), py::arg("exponent") = 1.0, py::arg("k_decay") = 1.0);
  NodeClass<Exponential>(m, "Exponential")
      .def(py::init<double, double, Step, bool, Step, std::optional<double>>(), py::arg("start"),
           py::arg("gamma"), py::arg("every") = 1, py::arg("staircase") = false,
           py::arg("begin") = 0, py::arg("end") = py::none());
  NodeClass<StepDecay>(m, "StepDecay")
      .def(py::init<double, double, Step>(), py::arg("start"), py::arg("gamma"), py::arg("every"));
  NodeClass<MultiStep>(m, "MultiStep")
      .def(py::init<double, double, std::vector<Step>>(), py::arg("start"), py::arg("gamma"),
           py::arg("milestones"));
  NodeClass<Polynomial>(m, "Polynomial")
      .def(py::init<double, double, Step, double, double>(), py::arg("start"), py::arg("end"),
           py::arg("length"), py::arg("power"), py::arg("k_decay") = 1.0);
  NodeClass<InverseSqrt>(m, "InverseSqrt")
      .def(py::init<double, Step>(), py::arg("start"), py::arg("timescale"));
  NodeClass<Tanh>(m, "Tanh").def(py::init<double, double, Step, double, double>(), py::arg("start"),
                                 py::arg("end"), py::arg("length"), py::arg("lb"), py::arg("ub"));
  NodeClass<PiecewiseLinear>(m, "PiecewiseLinear")
      .def(py::init<std::vector<Step>, std::vector<double>>(), py::arg("steps"), py::arg("values"));
  NodeClass<PiecewiseConstant>(m, "PiecewiseConstant")
      .def(py::init<std::vector<Step>, std::vector<double>>(), py::arg("boundaries"),
           py::arg("values"));

  py::enum_<WarmupShape>(m, "WarmupShape")
      .value("linear", WarmupShape::kLinear)
      .value("cosine", WarmupShape::kCosine)
      .value("one_minus_sqrt", WarmupShape::kOneMinusSqrt)
      .value("sqrt", WarmupShape::kSqrt)
      .value("power", WarmupShape::kPower)
      .value("exponential", WarmupShape::kExponential);
  NodeClass<Warmup>(m, "Warmup")
      .def(py::init<NodePtr, Step, double, bool, WarmupShape, double>(), py::arg("child"),
           py::arg("length"), py::arg("start"), py::arg("prefix"),
           py::arg("shape") = WarmupShape::kLinear, py::arg("exponent") = 1.0);
  NodeClass<Sequence>(m, "Sequence")
      .def(py::init<std::vector<NodePtr>, std::vector<Step>>(), py::arg("children"),
           py::arg("boundaries"));
  NodeClass<Product>(m, "Product").def(py::init<std::vector<NodePtr>>(), py::arg("children"));
  NodeClass<Scale>(m, "Scale")
      .def(py::init<NodePtr, double>(), py::arg("child"), py::arg("factor"));
  NodeClass<Clip>(m, "Clip")
      .def(py::init<NodePtr, double, double>(), py::arg("child"),
           py::arg("low") = -std::numeric_limits<double>::infinity(),
           py::arg("high") = std::numeric_limits<double>::infinity());
  NodeClass<Repeat>(m, "Repeat")
      .def(py::init<NodePtr, Step>(), py::arg("child"), py::arg("period"));
  NodeClass<Callback>(m, "Callback").def(py::init<py::function>(), py::arg("fn"));
}

}  // namespace lrkit
