// torch.optim.lr_scheduler's closed forms, with torch's own step boundaries and operation order,
// so the drop-ins in lrkit.torch reproduce torch's values. Formulas mirror
// python/lrkit/parity/torch.py.
#pragma once

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "checks.hpp"
#include "cycles.hpp"
#include "engine.hpp"
#include "primitives.hpp"
#include "simd.hpp"
#include "vmath.hpp"

namespace lrkit {

// CosineAnnealingLR's closed form, periodic past T_max like torch's:
// end + (start - end) * (1 + cos(pi * t / T)) / 2 for every t.
class TorchCosineAnnealing final : public Node {
 public:
  TorchCosineAnnealing(double start, double end, Step period)
      : start_(start), end_(end), period_(period) {
    require_at_least(period, 1, "TorchCosineAnnealing", "period");
  }
  void fill(Step t0, Step n, double* out) const override {
    const double T = static_cast<double>(period_);
    const double half = (start_ - end_) / 2.0;  // as (start - end) * (...) / 2: halving is exact
    // Up to T_max the argument is in [0, pi]: the vector cosine; past it (rising again) libm's.
    const Step vector_end = std::clamp<Step>(period_ + 1 - t0, 0, n);
    map_steps(t0, vector_end, out, [=](double t) {
      return end_ + half * (1.0 + vmath::cos_0_pi(kPi * t / T));
    });
    for (Step i = vector_end; i < n; ++i) {
      const double t = static_cast<double>(t0 + i);
      out[i] = end_ + (start_ - end_) * (1.0 + std::cos(kPi * t / T)) / 2.0;
    }
  }

 private:
  double start_, end_;
  Step period_;
};

// OneCycleLR's phases: phase i anneals values[i] -> values[i + 1] over (ends[i - 1], ends[i]]
// (ends are torch's float end steps, the first phase starts at 0); the last phase extrapolates up
// to step `total` (torch accepts step total), then values.back() is held.
class TorchPhases final : public Node {
 public:
  TorchPhases(std::vector<double> values, std::vector<double> ends, bool cosine, Step total)
      : values_(std::move(values)), ends_(std::move(ends)), cosine_(cosine), total_(total) {
    require(!ends_.empty() && values_.size() == ends_.size() + 1, "TorchPhases",
            "values must have one more entry than ends (at least one phase)");
    require_at_least(total, 0, "TorchPhases", "total");
  }
  // One phase at a time, vectorised within it.
  void fill(Step t0, Step n, double* out) const override {
    const std::size_t last = ends_.size() - 1;
    Step i = 0;
    while (i < n) {
      const Step step = t0 + i;
      if (step > total_) {
        std::fill(out + i, out + n, values_.back());
        return;
      }
      // The phase of `step`: the first with t <= its end (or the last one).
      const double t = static_cast<double>(step);
      std::size_t k = 0;
      double start_step = 0.0;
      while (k < last && t > ends_[k]) start_step = ends_[k++];
      // Its last step: floor(ends[k]) (steps are integers), or `total` for the last phase.
      const Step phase_last = k == last ? total_
                                        : std::min(total_, static_cast<Step>(std::floor(ends_[k])));
      const Step seg_end = std::min(n, std::max(phase_last - t0 + 1, i + 1));
      const double end_step = ends_[k], a = values_[k], b = values_[k + 1];
      if (cosine_) {
        // Steps up to the phase's end have pct in [0, 1]: the vector cosine; the last phase's
        // extrapolated steps past its end, libm's.
        const Step inside = std::clamp<Step>(static_cast<Step>(std::floor(end_step)) - t0 + 1, i,
                                             seg_end);
        const auto anneal = [=](double x) {
          const double pct = (x - start_step) / (end_step - start_step);
          return b + (a - b) / 2.0 * (vmath::cos_0_pi(kPi * pct) + 1.0);
        };
        map_steps(step, inside - i, out + i, anneal);
        for (Step r = inside; r < seg_end; ++r) {
          const double pct = (static_cast<double>(t0 + r) - start_step) / (end_step - start_step);
          out[r] = b + (a - b) / 2.0 * (std::cos(kPi * pct) + 1.0);
        }
      } else {
        map_steps(step, seg_end - i, out + i, [=](double x) {
          const double pct = (x - start_step) / (end_step - start_step);
          return (b - a) * pct + a;
        });
      }
      i = seg_end;
    }
  }

 private:
  std::vector<double> values_, ends_;
  bool cosine_;
  Step total_;
};

// CyclicLR's closed form. scale = the triangle's height in [0, 1], fn = 1 (triangular),
// 1 / 2 ** (x - 1) (triangular2) or gamma ** x (exp_range), x the cycle (1-based) or the step.
// Rising from `low` to `high`: low + (high - low) * scale * fn; `inverted` (momentum):
// high - (high - low) * scale * fn.
class TorchCyclic final : public Node {
 public:
  TorchCyclic(double low, double high, double up, double down, CyclicMode mode, double gamma,
              bool by_cycle, bool inverted)
      : low_(low), high_(high), total_(up + down), ratio_(up / (up + down)),
        mode_(static_cast<int>(mode)), gamma_(gamma), by_cycle_(by_cycle), inverted_(inverted) {
    require(up > 0.0 && down >= 0.0 && std::isfinite(up + down), "TorchCyclic",
            "up must be > 0 and down >= 0, both finite");
    require(mode_ >= 0 && mode_ <= 2, "TorchCyclic", "mode must be triangular, triangular2 or exp_range");
  }
  void fill(Step t0, Step n, double* out) const override {
    for (Step i = 0; i < n; ++i) out[i] = at(t0 + i);
  }

 private:
  double at(Step step) const {
    const double t = static_cast<double>(step);
    const double cycle = std::floor(1.0 + t / total_);
    const double x = 1.0 + t / total_ - cycle;
    const double scale = x <= ratio_ ? x / ratio_ : (x - 1.0) / (ratio_ - 1.0);
    const double height = (high_ - low_) * scale;
    const double arg = by_cycle_ ? cycle : t;
    const double fn = mode_ == 0 ? 1.0 : mode_ == 1 ? 1.0 / std::pow(2.0, arg - 1.0)
                                                    : std::pow(gamma_, arg);
    return inverted_ ? high_ - height * fn : low_ + height * fn;
  }

  double low_, high_, total_, ratio_;
  int mode_;
  double gamma_;
  bool by_cycle_, inverted_;
};

}  // namespace lrkit
