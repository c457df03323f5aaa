// Python constructor for HF transformers' lambdas (csrc/hf_parity.hpp).
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "hf_parity.hpp"

namespace py = pybind11;

namespace lrkit {

void register_hf_parity(py::module_& m) {
  py::enum_<HfKind>(m, "HfKind")
      .value("constant_with_warmup", HfKind::kConstantWithWarmup)
      .value("linear", HfKind::kLinear)
      .value("cosine", HfKind::kCosine)
      .value("hard_restarts", HfKind::kHardRestarts)
      .value("polynomial", HfKind::kPolynomial)
      .value("inverse_sqrt", HfKind::kInverseSqrt)
      .value("cosine_min_lr", HfKind::kCosineMinLr)
      .value("cosine_warmup_min_lr", HfKind::kCosineWarmupMinLr)
      .value("wsd", HfKind::kWsd);
  py::enum_<HfWsdType>(m, "HfWsdType")
      .value("linear", HfWsdType::kLinear)
      .value("cosine", HfWsdType::kCosine)
      .value("one_minus_sqrt", HfWsdType::kOneMinusSqrt);
  py::class_<HfCurve, Node, std::shared_ptr<HfCurve>>(m, "HfCurve")
      .def(py::init([](HfKind kind, double warmup, double training, double cycles,
                       double min_rate, double lr_end, double lr_init, double power,
                       double timescale, double warmup_lr_rate, double stable, double decay,
                       HfWsdType warmup_type, HfWsdType decay_type) {
             HfArgs a;
             a.warmup = warmup;
             a.training = training;
             a.cycles = cycles;
             a.min_rate = min_rate;
             a.lr_end = lr_end;
             a.lr_init = lr_init;
             a.power = power;
             a.timescale = timescale;
             a.warmup_lr_rate = warmup_lr_rate;
             a.stable = stable;
             a.decay = decay;
             a.warmup_type = warmup_type;
             a.decay_type = decay_type;
             return std::make_shared<HfCurve>(kind, a);
           }),
           py::arg("kind"), py::arg("warmup"), py::arg("training"), py::arg("cycles"),
           py::arg("min_rate"), py::arg("lr_end"), py::arg("lr_init"), py::arg("power"),
           py::arg("timescale"), py::arg("warmup_lr_rate"), py::arg("stable"), py::arg("decay"),
           py::arg("warmup_type"), py::arg("decay_type"));
}

}  // namespace lrkit
