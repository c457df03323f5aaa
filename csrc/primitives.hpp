// Primitive schedules: closed forms of the step. Formulas mirror python/lrkit/primitives.py.
//
// Loops over steps run through map_steps(), which hands the step to the formula as an exact
// double and runs the loop on the CPU's widest vector unit (csrc/simd.hpp): the same bits on
// every path. cos is vmath's vectorised one (within the contract of docs/contract.md); every
// other operation is the reference's, in the reference's order.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "checks.hpp"
#include "engine.hpp"
#include "simd.hpp"
#include "vmath.hpp"

namespace lrkit {

using vmath::kPi;  // == math.pi

// value clamped to [min(a, b), max(a, b)]: float rounding never leaves an interpolation's ends.
inline double between(double value, double a, double b) {
  return std::min(std::max(value, std::min(a, b)), std::max(a, b));
}

// The loop shared by the interpolating primitives: start at t = 0, formula(t) clamped to the
// endpoints for 0 < t < length, end from t = length on.
template <class Formula>
void fill_interpolation(Step t0, Step n, double* out, double start, double end, Step length,
                        const Formula& formula) {
  Step i = 0;
  if (t0 == 0 && n > 0) out[i++] = start;
  const Step ramp_end = std::min(n, std::max(i, length - t0));  // rows with t < length
  const double lo = std::min(start, end), hi = std::max(start, end);
  map_steps(t0 + i, ramp_end - i, out + i,
            [=](double t) { return std::min(std::max(formula(t), lo), hi); });
  std::fill(out + ramp_end, out + n, end);
}

class Constant final : public Node {
 public:
  explicit Constant(double value) : value_(value) {}
  void fill(Step, Step n, double* out) const override { std::fill(out, out + n, value_); }

 private:
  double value_;
};

// start + (end - start) * t / L for t < L (clamped), else end.
class Linear final : public Node {
 public:
  Linear(double start, double end, Step length) : start_(start), end_(end), length_(length) {
    require_at_least(length, 1, "Linear", "length");
  }
  void fill(Step t0, Step n, double* out) const override {
    const double L = static_cast<double>(length_);
    fill_interpolation(t0, n, out, start_, end_, length_,
                       [=](double t) { return start_ + (end_ - start_) * t / L; });
  }

 private:
  double start_, end_;
  Step length_;
};

// end + (start - end) * ((1 + cos(pi * w)) / 2) ** exponent for 0 < t < L (clamped), start at 0,
// then end; w = t / L, or t**k / L**k with k = k_decay (timm's k-decay time warp).
// exponent == 1: end + (start - end) * (1 + cos(pi * w)) / 2 with vmath's vectorised cos (the
// cosine family's contract); any other exponent: libm's cos and pow, the calls math.cos and **
// make, so the values are the reference's bit for bit.
class Cosine final : public Node {
 public:
  Cosine(double start, double end, Step length, double exponent = 1.0, double k_decay = 1.0)
      : start_(start), end_(end), length_(length), exponent_(exponent), k_(k_decay) {
    require_at_least(length, 1, "Cosine", "length");
    require(k_decay > 0.0 && std::isfinite(k_decay), "Cosine", "k_decay must be finite and > 0");
  }
  void fill(Step t0, Step n, double* out) const override {
    const double L = static_cast<double>(length_);
    const double start = start_, end = end_, exponent = exponent_, k = k_;
    const double Lk = std::pow(L, k);
    if (exponent != 1.0) {
      if (k == 1.0) {
        fill_interpolation(t0, n, out, start, end, length_, [=](double t) {
          return end + (start - end) * std::pow((1.0 + std::cos(kPi * t / L)) / 2.0, exponent);
        });
      } else {
        fill_interpolation(t0, n, out, start, end, length_, [=](double t) {
          const double c = std::cos(kPi * std::pow(t, k) / Lk);
          return end + (start - end) * std::pow((1.0 + c) / 2.0, exponent);
        });
      }
      return;
    }
    // (start - end) / 2 * (1 + c) rounds as (start - end) * (1 + c) / 2 (halving is exact).
    const double half = (start - end) / 2.0;
    if (k == 1.0) {
      fill_interpolation(t0, n, out, start, end, length_, [=](double t) {
        return end + half * (1.0 + vmath::cos_0_pi(kPi * t / L));
      });
      return;
    }
    fill_interpolation(t0, n, out, start, end, length_, [=](double t) {
      return end + half * (1.0 + vmath::cos_0_pi(kPi * std::pow(t, k) / Lk));
    });
  }

 private:
  double start_, end_;
  Step length_;
  double exponent_, k_;
};

// start for t <= begin, else start * gamma ** p with p = (t - begin) / every, or the whole
// (t - begin) // every with staircase; bounded by end (when given) at every step: max(value, end)
// for gamma < 1, min(value, end) otherwise. The defaults give start * gamma ** t.
class Exponential final : public Node {
 public:
  Exponential(double start, double gamma, Step every, bool staircase, Step begin,
              std::optional<double> end)
      : start_(start), gamma_(gamma), every_(every), staircase_(staircase), begin_(begin),
        end_(end) {
    require_at_least(every, 1, "Exponential", "every");
    require_at_least(begin, 0, "Exponential", "begin");
  }
  void fill(Step t0, Step n, double* out) const override {
    const double every = static_cast<double>(every_);
    for (Step i = 0; i < n; ++i) {
      const Step elapsed = t0 + i - begin_;
      double v = start_;
      if (elapsed > 0) {
        const double p = staircase_ ? static_cast<double>(elapsed / every_)
                                    : static_cast<double>(elapsed) / every;
        v = start_ * std::pow(gamma_, p);
      }
      if (end_) v = gamma_ < 1.0 ? std::max(v, *end_) : std::min(v, *end_);
      out[i] = v;
    }
  }

 private:
  double start_, gamma_;
  Step every_;
  bool staircase_;
  Step begin_;
  std::optional<double> end_;
};

// start * gamma ** (t // every).
class StepDecay final : public Node {
 public:
  StepDecay(double start, double gamma, Step every) : start_(start), gamma_(gamma), every_(every) {
    require_at_least(every, 1, "StepDecay", "every");
  }
  void fill(Step t0, Step n, double* out) const override {
    Step i = 0;
    while (i < n) {
      const Step k = (t0 + i) / every_;
      const double v = start_ * std::pow(gamma_, static_cast<double>(k));
      const Step run_end = std::min(n, (k + 1) * every_ - t0);
      for (; i < run_end; ++i) out[i] = v;
    }
  }

 private:
  double start_, gamma_;
  Step every_;
};

// start * gamma ** (number of milestones <= t); milestones strictly increasing.
class MultiStep final : public Node {
 public:
  MultiStep(double start, double gamma, std::vector<Step> milestones)
      : start_(start), gamma_(gamma), milestones_(std::move(milestones)) {
    require_increasing(milestones_, "MultiStep", "milestones");
  }
  void fill(Step t0, Step n, double* out) const override {
    auto k = static_cast<std::size_t>(
        std::upper_bound(milestones_.begin(), milestones_.end(), t0) - milestones_.begin());
    double v = start_ * std::pow(gamma_, static_cast<double>(k));
    for (Step i = 0; i < n; ++i) {
      const Step t = t0 + i;
      if (k < milestones_.size() && milestones_[k] <= t) {
        while (k < milestones_.size() && milestones_[k] <= t) ++k;
        v = start_ * std::pow(gamma_, static_cast<double>(k));
      }
      out[i] = v;
    }
  }

 private:
  double start_, gamma_;
  std::vector<Step> milestones_;
};

// end + (start - end) * (1 - t / L) ** power for 0 < t < L (clamped), start at 0, then end.
class Polynomial final : public Node {
 public:
  Polynomial(double start, double end, Step length, double power, double k_decay = 1.0)
      : start_(start), end_(end), length_(length), power_(power), k_(k_decay) {
    require_at_least(length, 1, "Polynomial", "length");
    require(k_decay > 0.0 && std::isfinite(k_decay), "Polynomial", "k_decay must be finite and > 0");
  }
  // end + (start - end) * (1 - t**k / L**k) ** power; k = 1: (1 - t / L) ** power.
  void fill(Step t0, Step n, double* out) const override {
    const double L = static_cast<double>(length_);
    if (k_ == 1.0) {
      fill_interpolation(t0, n, out, start_, end_, length_, [=](double t) {
        return end_ + (start_ - end_) * std::pow(1.0 - t / L, power_);
      });
      return;
    }
    const double k = k_, Lk = std::pow(L, k_);
    fill_interpolation(t0, n, out, start_, end_, length_, [=](double t) {
      return end_ + (start_ - end_) * std::pow(1.0 - std::pow(t, k) / Lk, power_);
    });
  }

 private:
  double start_, end_;
  Step length_;
  double power_;
  double k_;
};

// start / sqrt(1 + t / timescale).
class InverseSqrt final : public Node {
 public:
  InverseSqrt(double start, Step timescale) : start_(start), timescale_(timescale) {
    require_at_least(timescale, 1, "InverseSqrt", "timescale");
  }
  void fill(Step t0, Step n, double* out) const override {
    const double s = static_cast<double>(timescale_);
    map_steps(t0, n, out, [=](double t) { return start_ / std::sqrt(1.0 + t / s); });
  }

 private:
  double start_;
  Step timescale_;
};

// timm's TanhLRScheduler: end + 0.5 * (start - end) * (1 - tanh(lb * (1 - t / L) + ub * t / L))
// for t < L, else end; not clamped. std::tanh is libm's, the one math.tanh calls.
class Tanh final : public Node {
 public:
  Tanh(double start, double end, Step length, double lb, double ub)
      : start_(start), end_(end), length_(length), lb_(lb), ub_(ub) {}
  void fill(Step t0, Step n, double* out) const override {
    const Step ramp_end = std::min(n, std::max<Step>(0, length_ - t0));  // rows with t < length
    const double L = static_cast<double>(length_);
    const double start = start_, end = end_, lb = lb_, ub = ub_;
    map_steps(t0, ramp_end, out, [=](double t) {
      const double tr = t / L;
      const double x = lb * (1.0 - tr) + ub * tr;
      return end + 0.5 * (start - end) * (1.0 - std::tanh(x));
    });
    std::fill(out + ramp_end, out + n, end_);
  }

 private:
  double start_, end_;
  Step length_;
  double lb_, ub_;
};

// Linear interpolation between knots (s_j, v_j), s strictly increasing; held outside them.
class PiecewiseLinear final : public Node {
 public:
  PiecewiseLinear(std::vector<Step> steps, std::vector<double> values)
      : steps_(std::move(steps)), values_(std::move(values)) {
    require(!steps_.empty() && steps_.size() == values_.size(), "PiecewiseLinear",
            "steps and values must be non-empty and of the same length");
    require_increasing(steps_, "PiecewiseLinear", "steps");
  }
  void fill(Step t0, Step n, double* out) const override {
    const std::size_t last = steps_.size() - 1;
    // j: number of knots with s_j <= t.
    auto j = static_cast<std::size_t>(std::upper_bound(steps_.begin(), steps_.end(), t0) -
                                      steps_.begin());
    Step i = 0;
    while (i < n) {
      const Step t = t0 + i;
      if (j == 0 || j > last) {  // before the first knot, or from the last one on: held
        const Step held_end = j == 0 ? std::min(n, steps_[0] - t0) : n;
        std::fill(out + i, out + held_end, values_[j == 0 ? 0 : last]);
        i = held_end;
        ++j;
        continue;
      }
      const Step s0 = steps_[j - 1], s1 = steps_[j], seg_end = std::min(n, s1 - t0);
      const double v0 = values_[j - 1], v1 = values_[j];
      const double origin = static_cast<double>(s0), span = static_cast<double>(s1 - s0);
      // (t - s0) in doubles is exact: both are integers below 2**53.
      map_steps(t, seg_end - i, out + i,
                [=](double x) { return v0 + (v1 - v0) * (x - origin) / span; });
      i = seg_end;
      ++j;
    }
  }

 private:
  std::vector<Step> steps_;
  std::vector<double> values_;
};

// values[number of boundaries <= t]; len(values) == len(boundaries) + 1.
class PiecewiseConstant final : public Node {
 public:
  PiecewiseConstant(std::vector<Step> boundaries, std::vector<double> values)
      : boundaries_(std::move(boundaries)), values_(std::move(values)) {
    require(values_.size() == boundaries_.size() + 1, "PiecewiseConstant",
            "values must have one more entry than boundaries");
    require_increasing(boundaries_, "PiecewiseConstant", "boundaries");
  }
  void fill(Step t0, Step n, double* out) const override {
    auto k = static_cast<std::size_t>(
        std::upper_bound(boundaries_.begin(), boundaries_.end(), t0) - boundaries_.begin());
    for (Step i = 0; i < n; ++i) {
      const Step t = t0 + i;
      while (k < boundaries_.size() && boundaries_[k] <= t) ++k;
      out[i] = values_[k];
    }
  }

 private:
  std::vector<Step> boundaries_;
  std::vector<double> values_;
};

}  // namespace lrkit
