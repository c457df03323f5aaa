// timm's schedulers (timm.scheduler 1.0.31), with timm's operations in timm's order, so
// lrkit.parity.timm reproduces them bit for bit. Formulas mirror python/lrkit/parity/timm.py
// (the owners' _lr(t), the reference): log, cos, tanh and sqrt are the scalar libm calls
// Python's math module makes; pow is C's pow, as Python's float ** is. Where Python raises on a
// step (a ** that overflows, math.floor of an infinite cycle), the node gives NaN there: the
// table reports a non-finite value at that step, as the reference does (OverflowError ->
// lrkit.NonFiniteValueError).
//
// Noise (noise_range_t given) is timm's torch generator: a child node (a Python callback that
// gives timm's n(t)) is asked for the steps of the noisy range only, and lr + lr * n(t) is
// applied there; everywhere else the curve is native.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "checks.hpp"
#include "engine.hpp"
#include "vmath.hpp"

namespace lrkit {

// Which timm scheduler a TimmCurve evaluates (`lrkit._core.TimmKind`).
enum class TimmKind : int { kCosine = 0, kPoly = 1, kTanh = 2, kStep = 3, kMultiStep = 4, kWsd = 5 };

// WSDLRScheduler's stable phase (`lrkit._core.TimmStable`).
enum class TimmStable : int { kConstant = 0, kRsqrt = 1, kPower = 2 };

// WSDLRScheduler's decay shape (`lrkit._core.TimmDecay`).
enum class TimmDecay : int { kLinear = 0, kOneMinusSqrt = 1, kCosine = 2, kPower = 3, kExp = 4 };

// The arguments of every timm scheduler (each kind reads its own), under timm's names. Step
// counts are int64 (<= 2**53); `decay_t` is StepLRScheduler's (a float) or WSD's (a count).
struct TimmArgs {
  double base_lr = 1, warmup_lr_init = 0, lr_min = 0, cycle_mul = 1, cycle_decay = 1, k_decay = 1,
         power = 0.5, lb = -7, ub = 3, decay_t = 1, decay_rate = 1, stable_timescale = 1,
         stable_power = 0.5, decay_power = 0.5, decay_ratio = 0.1;
  Step warmup_t = 0, t_initial = 1, cycle_limit = 1;
  bool warmup_prefix = false;
  std::vector<Step> milestones;
  TimmStable stable_fn = TimmStable::kConstant;
  TimmDecay decay_fn = TimmDecay::kOneMinusSqrt;
};

class TimmCurve final : public Node {
 public:
  // `noise` (may be null): timm's n(t), asked for steps in [noise_start, noise_end) only.
  TimmCurve(TimmKind kind, TimmArgs args, NodePtr noise, Step noise_start, Step noise_end)
      : kind_(kind), a_(std::move(args)), noise_(std::move(noise)), noise_start_(noise_start),
        noise_end_(noise_end) {
    const char* node = "TimmCurve";
    require_at_least(a_.warmup_t, 0, node, "warmup_t");
    require_at_least(a_.t_initial, 1, node, "t_initial");
    require_at_least(a_.cycle_limit, 0, node, "cycle_limit");
    require(a_.cycle_mul >= 1.0 && std::isfinite(a_.cycle_mul), node,
            "cycle_mul must be a finite float >= 1");
    require_increasing(a_.milestones, node, "milestones");
    if (kind_ == TimmKind::kStep)
      require(a_.decay_t > 0.0 && std::isfinite(a_.decay_t), node, "decay_t must be > 0");
    if (kind_ == TimmKind::kWsd) {
      require(a_.decay_t >= 1.0 && a_.decay_t <= static_cast<double>(a_.t_initial) &&
                  std::floor(a_.decay_t) == a_.decay_t,
              node, "decay_t must be a step count in [1, t_initial]");
      wsd_decay_ = static_cast<Step>(a_.decay_t);
    }
    if (kind_ == TimmKind::kStep && std::floor(a_.decay_t) == a_.decay_t) {
      // timm: t // int(decay_t), an int division (t <= 2**53: a longer decay_t counts 0)
      step_every_ = a_.decay_t > static_cast<double>(kMaxStep) ? kMaxStep + 1
                                                                : static_cast<Step>(a_.decay_t);
    }
    require(0 <= noise_start_ && noise_start_ <= noise_end_ && noise_end_ <= kMaxStep + 1, node,
            "the noise range must be 0 <= noise_start <= noise_end <= 2**53 + 1");
    if (noise_ != nullptr) depth_ = depth_over({noise_.get()}, node);
    // TanhLRScheduler without warmup_prefix ramps to the curve's value at warmup_t.
    log_mul_ = std::log(a_.cycle_mul);
    Powers powers;
    warmup_target_ =
        kind_ == TimmKind::kTanh && !a_.warmup_prefix ? main(a_.warmup_t, powers) : a_.base_lr;
  }

  bool native() const override { return noise_ == nullptr || noise_->native(); }

  void fill(Step t0, Step n, double* out) const override {
    Powers powers;
    for (Step i = 0; i < n; ++i) out[i] = lr(t0 + i, powers);
    if (noise_ == nullptr) return;
    const Step first = std::max(t0, noise_start_), end = std::min(t0 + n, noise_end_);
    if (first >= end) return;
    std::vector<double> draws(static_cast<std::size_t>(std::min(end - first, kBlock)));
    for (Step b = first; b < end; b += kBlock) {
      const Step m = std::min(kBlock, end - b);
      noise_->fill(b, m, draws.data());
      double* lrs = out + (b - t0);
      for (Step i = 0; i < m; ++i) lrs[i] = lrs[i] + lrs[i] * draws[static_cast<std::size_t>(i)];
    }
  }

 private:
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  // cycle_mul ** i and cycle_decay ** i of the last cycle seen (one fill() call's: the same
  // values as computed afresh, a pow fewer each per step while the cycle does not change).
  struct Powers {
    double i = -1.0, grown = 1.0, decay = 1.0;
  };

  // Python's float ** on finite operands: C's pow, an overflow raising (here NaN: see the top).
  static double py_pow(double x, double y) {
    const double r = std::pow(x, y);
    return std::isinf(r) ? kNaN : r;
  }
  // x ** k for a warp exponent: pow(x, 1) is x exactly (no call for the usual k_decay = 1).
  static double warp(double x, double k) { return k == 1.0 ? x : py_pow(x, k); }

  // Python's float // (CPython's float_floor_div): fmod, then the quotient rounded to floor.
  static double py_floordiv(double vx, double wx) {
    double mod = std::fmod(vx, wx);
    double div = (vx - mod) / wx;
    if (mod != 0.0) {
      if ((wx < 0) != (mod < 0)) div -= 1.0;
    }
    if (div != 0.0) {
      double floordiv = std::floor(div);
      if (div - floordiv > 0.5) floordiv += 1.0;
      return floordiv;
    }
    return std::copysign(0.0, vx / wx);
  }

  // _Timm._lr: timm's warmup (towards base_lr), then the main curve on t.
  double lr(Step t, Powers& powers) const {
    if (t < a_.warmup_t) {
      const double init = a_.warmup_lr_init;
      return init +
             static_cast<double>(t) * ((warmup_target_ - init) / static_cast<double>(a_.warmup_t));
    }
    return main(t, powers);
  }

  double main(Step t, Powers& powers) const {
    switch (kind_) {
      case TimmKind::kCosine:
      case TimmKind::kPoly:
      case TimmKind::kTanh:
        return cycles(t, powers);
      case TimmKind::kStep: {
        if (a_.warmup_prefix) t -= a_.warmup_t;
        const double count = step_every_ > 0 ? static_cast<double>(t / step_every_)
                                              : py_floordiv(static_cast<double>(t), a_.decay_t);
        return a_.base_lr * py_pow(a_.decay_rate, count);
      }
      case TimmKind::kMultiStep: {
        if (a_.warmup_prefix) t -= a_.warmup_t;
        const auto& m = a_.milestones;  // bisect_right(decay_t, t + 1)
        const auto k = std::upper_bound(m.begin(), m.end(), t + 1) - m.begin();
        return a_.base_lr * py_pow(a_.decay_rate, static_cast<double>(k));
      }
      case TimmKind::kWsd:
        return wsd(t);
    }
    return kNaN;
  }

  // _Cycles._main: timm's cycle of t (its float formula when cycle_mul != 1), then the shape.
  double cycles(Step t, Powers& powers) const {
    if (a_.warmup_prefix) t -= a_.warmup_t;
    const double mul = a_.cycle_mul, t_initial = static_cast<double>(a_.t_initial);
    double i, t_i, t_curr;
    if (mul != 1.0) {
      const double x = 1.0 - static_cast<double>(t) / t_initial * (1.0 - mul);
      const double q = std::log(x) / log_mul_;  // math.log(x, mul)
      if (!std::isfinite(q)) return kNaN;       // math.floor raises
      i = std::floor(q);
      if (i != powers.i) powers = {i, py_pow(mul, i), py_pow(a_.cycle_decay, i)};
      const double grown = powers.grown;
      if (std::isnan(grown)) return kNaN;  // mul ** i raises before the cycle_limit test
      t_i = grown * t_initial;
      t_curr = static_cast<double>(t) - (1.0 - grown) / (1.0 - mul) * t_initial;
    } else {
      const Step k = t / a_.t_initial;
      i = static_cast<double>(k);
      if (i != powers.i) powers = {i, 1.0, py_pow(a_.cycle_decay, i)};
      t_i = t_initial;
      t_curr = static_cast<double>(t - a_.t_initial * k);
    }
    if (i >= static_cast<double>(a_.cycle_limit)) return a_.lr_min;
    if (0.0 > t_curr) t_curr = 0.0;  // max(t_curr, 0.0)
    const double lr_max = a_.base_lr * powers.decay;  // cycle_decay ** i
    const double lr_min = a_.lr_min;
    switch (kind_) {
      case TimmKind::kCosine: {
        const double k = a_.k_decay;
        const double angle = vmath::kPi * warp(t_curr, k) / warp(t_i, k);
        return lr_min + 0.5 * (lr_max - lr_min) * (1.0 + std::cos(angle));
      }
      case TimmKind::kPoly: {
        const double k = a_.k_decay;
        double left = 1.0 - warp(t_curr, k) / warp(t_i, k);
        if (left < 0.0) left = 0.0;
        return lr_min + (lr_max - lr_min) * py_pow(left, a_.power);
      }
      default: {  // kTanh
        const double tr = t_curr / t_i;
        const double x = a_.lb * (1.0 - tr) + a_.ub * tr;
        return lr_min + 0.5 * (lr_max - lr_min) * (1.0 - std::tanh(x));
      }
    }
  }

  // Wsd._main: stable phase, then the decay over the last decay_t steps of t_initial.
  double wsd(Step t) const {
    const Step t_s = t - a_.warmup_t;
    double factor = 1.0;
    if (a_.stable_fn != TimmStable::kConstant) {
      const double power = a_.stable_fn == TimmStable::kRsqrt ? 0.5 : a_.stable_power;
      factor = py_pow(1.0 + static_cast<double>(t_s) / a_.stable_timescale, -power);
    }
    double stable = a_.base_lr * factor;
    if (a_.lr_min > stable) stable = a_.lr_min;  // max(base_lr * factor, lr_min)
    const Step t_decay = t_s - (a_.t_initial - wsd_decay_);
    if (t_decay <= 0) return stable;
    double frac = static_cast<double>(t_decay) / static_cast<double>(wsd_decay_);
    if (1.0 < frac) frac = 1.0;  // min(frac, 1.0)
    double decay = 0.0;
    switch (a_.decay_fn) {
      case TimmDecay::kLinear:
        decay = 1.0 - frac;
        break;
      case TimmDecay::kOneMinusSqrt:
        decay = 1.0 - std::sqrt(frac);
        break;
      case TimmDecay::kCosine:
        decay = 0.5 * (1.0 + std::cos(vmath::kPi * frac));
        break;
      case TimmDecay::kPower:
        decay = 1.0 - py_pow(frac, a_.decay_power);
        break;
      case TimmDecay::kExp: {
        const double r = a_.decay_ratio;
        decay = (py_pow(r, frac) - r) / (1.0 - r);
        break;
      }
    }
    return a_.lr_min + (stable - a_.lr_min) * decay;
  }

  TimmKind kind_;
  TimmArgs a_;
  NodePtr noise_;
  Step noise_start_, noise_end_;
  Step step_every_ = 0;  // > 0: StepLRScheduler's integral decay_t (an int division)
  Step wsd_decay_ = 1;
  double warmup_target_ = 0.0;
  double log_mul_ = 0.0;  // log(cycle_mul), as math.log(x, cycle_mul) divides by it
};

}  // namespace lrkit
