// Python constructors for torch's closed forms (csrc/torch_parity.hpp).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "torch_parity.hpp"

namespace py = pybind11;

namespace lrkit {

void register_torch_parity(py::module_& m) {
  py::class_<TorchCosineAnnealing, Node, std::shared_ptr<TorchCosineAnnealing>>(
      m, "TorchCosineAnnealing")
      .def(py::init<double, double, Step>(), py::arg("start"), py::arg("end"), py::arg("period"));
  py::class_<TorchPhases, Node, std::shared_ptr<TorchPhases>>(m, "TorchPhases")
      .def(py::init<std::vector<double>, std::vector<double>, bool, Step>(), py::arg("values"),
           py::arg("ends"), py::arg("cosine"), py::arg("total"));
  py::class_<TorchCyclic, Node, std::shared_ptr<TorchCyclic>>(m, "TorchCyclic")
      .def(py::init<double, double, double, double, CyclicMode, double, bool, bool>(), py::arg("low"),
           py::arg("high"), py::arg("up"), py::arg("down"), py::arg("mode"), py::arg("gamma"),
           py::arg("by_cycle"), py::arg("inverted"));
}

}  // namespace lrkit
