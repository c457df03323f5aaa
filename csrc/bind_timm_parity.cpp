// Python constructor for timm's schedulers (csrc/timm_parity.hpp).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <vector>

#include "bindings.hpp"
#include "timm_parity.hpp"

namespace py = pybind11;

namespace lrkit {

void register_timm_parity(py::module_& m) {
  py::enum_<TimmKind>(m, "TimmKind")
      .value("cosine", TimmKind::kCosine)
      .value("poly", TimmKind::kPoly)
      .value("tanh", TimmKind::kTanh)
      .value("step", TimmKind::kStep)
      .value("multistep", TimmKind::kMultiStep)
      .value("wsd", TimmKind::kWsd);
  py::enum_<TimmStable>(m, "TimmStable")
      .value("constant", TimmStable::kConstant)
      .value("rsqrt", TimmStable::kRsqrt)
      .value("power", TimmStable::kPower);
  py::enum_<TimmDecay>(m, "TimmDecay")
      .value("linear", TimmDecay::kLinear)
      .value("one_minus_sqrt", TimmDecay::kOneMinusSqrt)
      .value("cosine", TimmDecay::kCosine)
      .value("power", TimmDecay::kPower)
      .value("exp", TimmDecay::kExp);
  py::class_<TimmCurve, Node, std::shared_ptr<TimmCurve>>(m, "TimmCurve")
      .def(py::init([](TimmKind kind, double base_lr, Step warmup_t, double warmup_lr_init,
                       bool warmup_prefix, Step t_initial, double lr_min, double cycle_mul,
                       double cycle_decay, Step cycle_limit, double k_decay, double power,
                       double lb, double ub, double decay_t, double decay_rate,
                       std::vector<Step> milestones, TimmStable stable_fn,
                       double stable_timescale, double stable_power, TimmDecay decay_fn,
                       double decay_power, double decay_ratio, NodePtr noise, Step noise_start,
                       Step noise_end) {
             TimmArgs a;
             a.base_lr = base_lr;
             a.warmup_t = warmup_t;
             a.warmup_lr_init = warmup_lr_init;
             a.warmup_prefix = warmup_prefix;
             a.t_initial = t_initial;
             a.lr_min = lr_min;
             a.cycle_mul = cycle_mul;
             a.cycle_decay = cycle_decay;
             a.cycle_limit = cycle_limit;
             a.k_decay = k_decay;
             a.power = power;
             a.lb = lb;
             a.ub = ub;
             a.decay_t = decay_t;
             a.decay_rate = decay_rate;
             a.milestones = std::move(milestones);
             a.stable_fn = stable_fn;
             a.stable_timescale = stable_timescale;
             a.stable_power = stable_power;
             a.decay_fn = decay_fn;
             a.decay_power = decay_power;
             a.decay_ratio = decay_ratio;
             return std::make_shared<TimmCurve>(kind, std::move(a), std::move(noise), noise_start,
                                                noise_end);
           }),
           py::arg("kind"), py::arg("base_lr"), py::arg("warmup_t"), py::arg("warmup_lr_init"),
           py::arg("warmup_prefix"), py::arg("t_initial"), py::arg("lr_min"),
           py::arg("cycle_mul"), py::arg("cycle_decay"), py::arg("cycle_limit"),
           py::arg("k_decay"), py::arg("power"), py::arg("lb"), py::arg("ub"),
           py::arg("decay_t"), py::arg("decay_rate"), py::arg("milestones"),
           py::arg("stable_fn"), py::arg("stable_timescale"), py::arg("stable_power"),
           py::arg("decay_fn"), py::arg("decay_power"), py::arg("decay_ratio"),
           py::arg("noise").none(true), py::arg("noise_start"), py::arg("noise_end"));
}

}  // namespace lrkit
