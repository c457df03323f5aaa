// Python constructors for the cyclic schedules and modifiers (csrc/cycles.hpp).
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "cycles.hpp"

namespace py = pybind11;

namespace lrkit {

void register_cycles(py::module_& m) {
  py::enum_<CyclicMode>(m, "CyclicMode")
      .value("triangular", CyclicMode::kTriangular)
      .value("triangular2", CyclicMode::kTriangular2)
      .value("exp_range", CyclicMode::kExpRange);
  py::class_<CosineRestarts, Node, std::shared_ptr<CosineRestarts>>(m, "CosineRestarts")
      .def(py::init<double, double, Step, double, double, Step>(), py::arg("start"),
           py::arg("end"), py::arg("period"), py::arg("mult"), py::arg("decay"), py::arg("limit"));
  py::class_<Cyclic, Node, std::shared_ptr<Cyclic>>(m, "Cyclic")
      .def(py::init<double, double, Step, Step, CyclicMode, double>(), py::arg("low"), py::arg("high"),
           py::arg("up"), py::arg("down"), py::arg("mode"), py::arg("gamma"));
  py::class_<Noise, Node, std::shared_ptr<Noise>>(m, "Noise")
      .def(py::init<NodePtr, double, std::uint64_t>(), py::arg("child"), py::arg("amount"),
           py::arg("seed"));
}

}  // namespace lrkit
