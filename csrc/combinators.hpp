// Combinators: nodes built from other nodes. Formulas mirror python/lrkit/combinators.py.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "checks.hpp"
#include "engine.hpp"
#include "simd.hpp"
#include "vmath.hpp"

namespace lrkit {

inline bool all_native(const std::vector<NodePtr>& nodes) {
  for (const auto& n : nodes)
    if (!n->native()) return false;
  return true;
}

// The ramp shapes of a Warmup (`lrkit._core.WarmupShape`): with p = t / L and s0 = child(0),
//   linear       start + (s0 - start) * t / L
//   cosine       start + (s0 - start) * ((1 - cos(pi * p)) / 2)
//   one_minus_sqrt  start + (s0 - start) * (1 - sqrt(1 - p))
//   sqrt         start + (s0 - start) * sqrt(p)
//   power        start + (s0 - start) * p^exponent
//   exponential  start * (s0 / start)^p   (geometric; start and s0 nonzero, of one sign)
// cos, sqrt and pow are the scalar libm calls the Python reference makes (bit-exact).
enum class WarmupShape : int {
  kLinear = 0,
  kCosine = 1,
  kOneMinusSqrt = 2,
  kSqrt = 3,
  kPower = 4,
  kExponential = 5
};

// The ramp for t < L (see WarmupShape), then child(t - L) when `prefix`, else child(t) (an
// overlay warmup).
class Warmup final : public Node {
 public:
  bool native() const override { return child_->native(); }
  Warmup(NodePtr child, Step length, double start, bool prefix,
         WarmupShape shape = WarmupShape::kLinear, double exponent = 1.0)
      : child_(std::move(child)),
        length_(length),
        start_(start),
        prefix_(prefix),
        shape_(shape),
        exponent_(exponent) {
    depth_ = depth_over({child_.get()}, "Warmup");
    require_at_least(length, 0, "Warmup", "length");
    child_->fill(0, 1, &target_);
  }
  void fill(Step t0, Step n, double* out) const override {
    const Step ramp_end = std::min(n, std::max<Step>(0, length_ - t0));
    const double L = static_cast<double>(length_);
    const double a = start_;
    const double b = target_;
    const double k = exponent_;
    switch (shape_) {
      case WarmupShape::kLinear:
        map_steps(t0, ramp_end, out, [=](double t) { return a + (b - a) * t / L; });
        break;
      case WarmupShape::kCosine:
        scalar_steps(t0, ramp_end, out, [=](double t) {
          return a + (b - a) * ((1.0 - std::cos(vmath::kPi * (t / L))) / 2.0);
        });
        break;
      case WarmupShape::kOneMinusSqrt:
        map_steps(t0, ramp_end, out,
                  [=](double t) { return a + (b - a) * (1.0 - std::sqrt(1.0 - t / L)); });
        break;
      case WarmupShape::kSqrt:
        map_steps(t0, ramp_end, out, [=](double t) { return a + (b - a) * std::sqrt(t / L); });
        break;
      case WarmupShape::kPower:
        scalar_steps(t0, ramp_end, out,
                     [=](double t) { return a + (b - a) * std::pow(t / L, k); });
        break;
      case WarmupShape::kExponential:
        scalar_steps(t0, ramp_end, out, [=](double t) { return a * std::pow(b / a, t / L); });
        break;
    }
    if (ramp_end < n)
      child_->fill(t0 + ramp_end - (prefix_ ? length_ : 0), n - ramp_end, out + ramp_end);
  }

 private:
  // out[i] = formula(double(t0 + i)), one libm call per step (no vector libm: bit-exact).
  template <class Formula>
  static void scalar_steps(Step t0, Step n, double* out, const Formula& formula) {
    for (Step i = 0; i < n; ++i) out[i] = formula(static_cast<double>(t0 + i));
  }

  NodePtr child_;
  Step length_;
  double start_;
  bool prefix_;
  WarmupShape shape_;
  double exponent_;
  double target_ = 0.0;
};

// children[i] on [b[i-1], b[i]) with its time re-based to 0 at b[i-1].
class Sequence final : public Node {
 public:
  bool native() const override { return all_native(children_); }
  Sequence(std::vector<NodePtr> children, std::vector<Step> boundaries)
      : children_(std::move(children)), boundaries_(std::move(boundaries)) {
    require(!children_.empty() && boundaries_.size() + 1 == children_.size(), "Sequence",
            "give one boundary fewer than children (at least one child)");
    require_increasing(boundaries_, "Sequence", "boundaries");
    depth_ = depth_over(raw(children_), "Sequence");
  }
  void fill(Step t0, Step n, double* out) const override {
    auto k = static_cast<std::size_t>(
        std::upper_bound(boundaries_.begin(), boundaries_.end(), t0) - boundaries_.begin());
    Step i = 0;
    while (i < n) {
      const Step t = t0 + i;
      const Step origin = k == 0 ? 0 : boundaries_[k - 1];
      const Step seg_end = k < boundaries_.size() ? std::min(n, boundaries_[k] - t0) : n;
      children_[k]->fill(t - origin, seg_end - i, out + i);
      i = seg_end;
      ++k;
    }
  }

 private:
  std::vector<NodePtr> children_;
  std::vector<Step> boundaries_;
};

// children[0](t) * children[1](t) * ... (left to right).
class Product final : public Node {
 public:
  bool native() const override { return all_native(children_); }
  explicit Product(std::vector<NodePtr> children) : children_(std::move(children)) {
    require(!children_.empty(), "Product", "needs at least one child");
    depth_ = depth_over(raw(children_), "Product");
  }
  void fill(Step t0, Step n, double* out) const override {
    children_[0]->fill(t0, n, out);
    if (children_.size() == 1) return;
    std::vector<double> scratch(static_cast<std::size_t>(std::min(n, kBlock)));
    for (std::size_t c = 1; c < children_.size(); ++c) {
      for (Step b = 0; b < n; b += kBlock) {
        const Step m = std::min(kBlock, n - b);
        children_[c]->fill(t0 + b, m, scratch.data());
        for (Step i = 0; i < m; ++i) out[b + i] *= scratch[static_cast<std::size_t>(i)];
      }
    }
  }

 private:
  std::vector<NodePtr> children_;
};

// factor * child(t).
class Scale final : public Node {
 public:
  bool native() const override { return child_->native(); }
  Scale(NodePtr child, double factor) : child_(std::move(child)), factor_(factor) {
    depth_ = depth_over({child_.get()}, "Scale");
  }
  void fill(Step t0, Step n, double* out) const override {
    child_->fill(t0, n, out);
    for (Step i = 0; i < n; ++i) out[i] = factor_ * out[i];
  }

 private:
  NodePtr child_;
  double factor_;
};

// min(max(child(t), low), high); an absent bound is passed as -inf / +inf. A non-finite child
// value passes through unclipped, so the table reports it (the reference raises there too).
class Clip final : public Node {
 public:
  bool native() const override { return child_->native(); }
  Clip(NodePtr child, double low, double high) : child_(std::move(child)), low_(low), high_(high) {
    depth_ = depth_over({child_.get()}, "Clip");
  }
  void fill(Step t0, Step n, double* out) const override {
    child_->fill(t0, n, out);
    for (Step i = 0; i < n; ++i)
      if (std::isfinite(out[i])) out[i] = std::min(std::max(out[i], low_), high_);
  }

 private:
  NodePtr child_;
  double low_, high_;
};

// child(t % period).
class Repeat final : public Node {
 public:
  bool native() const override { return child_->native(); }
  Repeat(NodePtr child, Step period) : child_(std::move(child)), period_(period) {
    depth_ = depth_over({child_.get()}, "Repeat");
    require_at_least(period, 1, "Repeat", "period");
  }
  void fill(Step t0, Step n, double* out) const override {
    Step i = 0;
    while (i < n) {
      const Step phase = (t0 + i) % period_;
      const Step m = std::min(n - i, period_ - phase);
      child_->fill(phase, m, out + i);
      i += m;
    }
  }

 private:
  NodePtr child_;
  Step period_;
};

}  // namespace lrkit
