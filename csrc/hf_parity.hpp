// HF transformers' LambdaLR multipliers (transformers.optimization), with HF's operations in
// HF's order, so lrkit.parity.hf reproduces them bit for bit. Formulas mirror
// python/lrkit/parity/hf.py (class _HfCurve). cos and sqrt are the scalar libm calls Python's
// math module makes; pow is C's pow, as Python's float ** is.
#pragma once

#include <algorithm>
#include <cmath>

#include "checks.hpp"
#include "engine.hpp"
#include "vmath.hpp"

namespace lrkit {

// Which HF lambda an HfCurve evaluates (`lrkit._core.HfKind`).
enum class HfKind : int {
  kConstantWithWarmup = 0,
  kLinear = 1,
  kCosine = 2,
  kHardRestarts = 3,
  kPolynomial = 4,
  kInverseSqrt = 5,
  kCosineMinLr = 6,
  kCosineWarmupMinLr = 7,
  kWsd = 8
};

// The shape of get_wsd_schedule's warmup and decay (`lrkit._core.HfWsdType`).
enum class HfWsdType : int { kLinear = 0, kCosine = 1, kOneMinusSqrt = 2 };

// The arguments of every HF lambda (each kind reads its own): step counts as doubles (exact
// below 2**53). `warmup_lr_rate` is NaN for None.
struct HfArgs {
  double warmup = 0, training = 0, cycles = 0.5, min_rate = 0, lr_end = 0, lr_init = 1,
         power = 1, timescale = 1, warmup_lr_rate = NAN, stable = 0, decay = 0;
  HfWsdType warmup_type = HfWsdType::kLinear, decay_type = HfWsdType::kLinear;
};

class HfCurve final : public Node {
 public:
  HfCurve(HfKind kind, HfArgs args) : kind_(kind), a_(args) {}
  void fill(Step t0, Step n, double* out) const override {
    for (Step i = 0; i < n; ++i) out[i] = at(static_cast<double>(t0 + i));
  }

 private:
  static double max0(double x) { return 0.0 < x ? x : 0.0; }  // Python's max(0.0, x)
  double ramp(double t) const { return t / std::max(1.0, a_.warmup); }
  double progress(double t) const {
    return (t - a_.warmup) / std::max(1.0, a_.training - a_.warmup);
  }
  double wave(double p) const {  // 0.5 * (1 + cos(pi * num_cycles * 2 * p))
    return 0.5 * (1.0 + std::cos(vmath::kPi * a_.cycles * 2.0 * p));
  }
  double at(double t) const {
    const double W = a_.warmup, T = a_.training;
    switch (kind_) {
      case HfKind::kConstantWithWarmup:
        return t < W ? ramp(t) : 1.0;
      case HfKind::kLinear:
        return t < W ? ramp(t) : max0((T - t) / std::max(1.0, T - W));
      case HfKind::kCosine:
        return t < W ? ramp(t) : max0(wave(progress(t)));
      case HfKind::kHardRestarts: {
        if (t < W) return ramp(t);
        const double p = progress(t);
        if (p >= 1.0) return 0.0;
        return max0(0.5 * (1.0 + std::cos(vmath::kPi * std::fmod(a_.cycles * p, 1.0))));
      }
      case HfKind::kPolynomial: {
        if (t < W) return ramp(t);
        if (t > T) return a_.lr_end / a_.lr_init;
        const double range = a_.lr_init - a_.lr_end;
        const double remaining = 1.0 - (t - W) / (T - W);
        return (range * std::pow(remaining, a_.power) + a_.lr_end) / a_.lr_init;
      }
      case HfKind::kInverseSqrt: {
        if (t < W) return ramp(t);
        const double shift = a_.timescale - W;
        return 1.0 / std::sqrt((t + shift) / a_.timescale);
      }
      case HfKind::kCosineMinLr: {
        if (t < W) return ramp(t);
        const double r = a_.min_rate;
        return max0(wave(progress(t)) * (1.0 - r) + r);
      }
      case HfKind::kCosineWarmupMinLr: {
        if (t < W) {
          const double w = a_.warmup_lr_rate;
          if (std::isnan(w)) return (t + 1.0) / std::max(1.0, W);
          return w + (1.0 - w) * t / std::max(1.0, W - 1.0);
        }
        const double p = (t - W + 1.0) / std::max(1.0, T - W);
        const double r = a_.min_rate;
        return max0(wave(p) * (1.0 - r) + r);
      }
      case HfKind::kWsd:
        return wsd(t);
    }
    return 0.0;
  }
  double wsd(double t) const {
    const double W = a_.warmup, S = a_.stable, D = a_.decay, r = a_.min_rate;
    if (t < W) {
      const double p = t / std::max(1.0, W);
      double f = p;
      if (a_.warmup_type == HfWsdType::kCosine) f = 0.5 * (1.0 - std::cos(vmath::kPi * p));
      if (a_.warmup_type == HfWsdType::kOneMinusSqrt) f = 1.0 - std::sqrt(1.0 - p);
      return max0(f * (1.0 - r) + r);
    }
    if (t < W + S) return 1.0;
    if (t < W + S + D) {
      const double p = (t - W - S) / std::max(1.0, D);
      double f = 1.0 - p;
      if (a_.decay_type == HfWsdType::kCosine) f = wave(p);
      if (a_.decay_type == HfWsdType::kOneMinusSqrt) f = 1.0 - std::sqrt(p);
      return max0(f * (1.0 - r) + r);
    }
    return r;
  }

  HfKind kind_;
  HfArgs a_;
};

}  // namespace lrkit
