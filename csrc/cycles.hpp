// Cyclic schedules and modifiers. Formulas mirror python/lrkit/cycles.py.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "checks.hpp"
#include "engine.hpp"
#include "primitives.hpp"

namespace lrkit {

// SGDR: cosine from peak_i = start * decay**i to end over cycle i, the integer steps
// [B_i, B_{i+1}): B_i = i * period (mult == 1), else B_i = round(S_i) (ties up) with
// S_i = period * (1 - mult**i) / (1 - mult) in float64 (cycles.py documents the definition);
// exactly peak_i at a restart, clamped to [min(peak_i, end), max(peak_i, end)] (as Cosine);
// `end` from cycle `limit` on (limit < 0: no limit).
class CosineRestarts final : public Node {
 public:
  CosineRestarts(double start, double end, Step period, double mult, double decay, Step limit)
      : start_(start), end_(end), period_(period), mult_(mult), decay_(decay), limit_(limit) {
    require_at_least(period, 1, "CosineRestarts", "period");
    require(mult >= 1.0 && std::isfinite(mult), "CosineRestarts", "mult must be finite and >= 1");
  }
  // One cycle at a time: the cycle of the segment's first step as the reference finds it, then
  // a vectorised cosine up to the next restart (every step of a cycle has the same peak, T_i
  // and S_i, so each value is the reference's formula of its own step).
  void fill(Step t0, Step n, double* out) const override {
    Step i = 0;
    while (i < n) {
      const Step t = t0 + i;
      double cycle, origin, t_i;  // origin: B_i, t_i: B_{i+1} - B_i (integers)
      Step seg_end;
      if (mult_ == 1.0) {
        const Step c = t / period_;
        cycle = static_cast<double>(c);
        origin = static_cast<double>(c * period_);
        t_i = static_cast<double>(period_);
        seg_end = std::min(n, (c + 1) * period_ - t0);
      } else {
        cycle = cycle_of(static_cast<double>(t));
        origin = cycle_start(cycle);
        const double next = cycle_start(cycle + 1.0);  // an integer (or inf)
        t_i = next - origin;
        seg_end = next >= static_cast<double>(t0 + n) ? n : static_cast<Step>(next) - t0;
        if (seg_end <= i) seg_end = i + 1;  // (never once corrected: one step, safely)
      }
      if (limit_ >= 0 && cycle >= static_cast<double>(limit_)) {
        std::fill(out + i, out + n, end_);  // the limit is a cycle: every later one is past it
        return;
      }
      const double peak = start_ * std::pow(decay_, cycle);
      const double lo = std::min(peak, end_), hi = std::max(peak, end_), end = end_;
      const double half = (peak - end_) / 2.0;  // as (peak - end) * (...) / 2: halving is exact
      map_steps(t, seg_end - i, out + i, [=](double x) {
        // Clamped as in the reference (with mult == 1, x - origin is the exact integer phase,
        // already in [0, t_i): the clamp changes nothing).
        const double t_cur = std::min(std::max(x - origin, 0.0), t_i);
        const double v = end + half * (1.0 + vmath::cos_0_pi(kPi * t_cur / t_i));
        const double clamped = std::min(std::max(v, lo), hi);  // a value: selects vectorise
        return t_cur == 0.0 ? peak : clamped;
      });
      i = seg_end;
    }
  }

 private:
  static constexpr int kMaxCorrections = 64;  // == _MAX_CORRECTIONS in cycles.py

  // The cycle of step x (mult != 1): the log inverse of the cycle starts estimates it, then it
  // is corrected against the integer starts B_i (the same operations as cycles.py).
  double cycle_of(double x) const {
    const double P = static_cast<double>(period_);
    const double estimate = std::log(1.0 - x / P * (1.0 - mult_)) / std::log(mult_);
    double cycle = std::isfinite(estimate) ? std::floor(estimate) : 0.0;
    for (int c = 0; c < kMaxCorrections; ++c) {
      if (cycle > 0.0 && cycle_start(cycle) > x) {
        cycle -= 1.0;
      } else if (cycle_start(cycle + 1.0) <= x) {
        cycle += 1.0;
      } else {
        break;
      }
    }
    return cycle;
  }

  // B_i, the first step of cycle i (mult != 1): round(period * (1 - mult**i) / (1 - mult)),
  // ties up (the start is >= 0; cycles.py's _nearest; inf stays inf).
  double cycle_start(double i) const {
    const double start = static_cast<double>(period_) * (1.0 - std::pow(mult_, i)) / (1.0 - mult_);
    return std::round(start);
  }

  double start_, end_;
  Step period_;
  double mult_, decay_;
  Step limit_;
};

// The amplitude scaling of a triangle wave (Cyclic, TorchCyclic); `lrkit._core.CyclicMode`.
enum class CyclicMode : int { kTriangular = 0, kTriangular2 = 1, kExpRange = 2 };

// Triangle waves between low and high: up `up` steps, down `down` steps; the amplitude is
// scaled by 1 (mode 0, triangular), 0.5**cycle (mode 1, triangular2) or gamma**t (mode 2);
// exactly high at a full peak, clamped to [min(low, high), max(low, high)].
class Cyclic final : public Node {
 public:
  Cyclic(double low, double high, Step up, Step down, CyclicMode mode, double gamma)
      : low_(low), high_(high), up_(up), down_(down), mode_(static_cast<int>(mode)),
        gamma_(gamma) {
    require_at_least(up, 1, "Cyclic", "up");
    require_at_least(down, 1, "Cyclic", "down");
    require(mode_ >= 0 && mode_ <= 2, "Cyclic", "mode must be triangular, triangular2 or exp_range");
  }
  // One cycle at a time (vectorised within it); exp_range's gamma ** t is libm's pow per step.
  void fill(Step t0, Step n, double* out) const override {
    const Step total = up_ + down_;
    const double up = static_cast<double>(up_), down = static_cast<double>(down_);
    const double span = static_cast<double>(total);
    const double lo = std::min(low_, high_), hi = std::max(low_, high_), top = high_;
    constexpr double kHuge = std::numeric_limits<double>::max();
    Step i = 0;
    while (i < n) {
      const Step t = t0 + i, cycle = t / total;
      const Step seg_end = std::min(n, (cycle + 1) * total - t0);
      const double origin = static_cast<double>(cycle * total);
      const double fixed = mode_ == 1 ? std::pow(0.5, static_cast<double>(cycle)) : 1.0;
      const auto wave = [&](const auto& amplitude_of) {
        map_steps(t, seg_end - i, out + i, [=](double x) {
          const double phase = x - origin;  // exact: integers below 2**53
          const double scale = phase <= up ? phase / up : (span - phase) / down;
          const double amplitude = amplitude_of(x);
          const double v = low_ + (high_ - low_) * scale * amplitude;
          const double clamped = std::min(std::max(v, lo), hi);
          const bool peak = (scale == 1.0) & (amplitude == 1.0);  // values, no branch: vectorises
          // An amplitude that overflowed (exp_range, gamma > 1) is reported, not clamped away:
          // the reference raises there too.
          const bool overflow = !(amplitude <= kHuge);
          return peak ? top : overflow ? amplitude : clamped;
        });
      };
      if (mode_ == 2) {
        wave([=](double x) { return std::pow(gamma_, x); });
      } else {
        wave([=](double) { return fixed; });
      }
      i = seg_end;
    }
  }

 private:
  double low_, high_;
  Step up_, down_;
  int mode_;
  double gamma_;
};

// A 64-bit mix of the step and a seed (splitmix64's finaliser): deterministic noise by step.
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// child(t) * (1 + amount * u(t)), u(t) uniform in [-1, 1) from mix64(mix64(seed) + t): each seed
// its own stream (seed * 2**32 + t made seed s at step t + 2**32 repeat seed s + 1).
class Noise final : public Node {
 public:
  Noise(NodePtr child, double amount, std::uint64_t seed)
      : child_(std::move(child)), amount_(amount), seed_(mix64(seed)) {
    depth_ = depth_over({child_.get()}, "Noise");
  }
  bool native() const override { return child_->native(); }
  void fill(Step t0, Step n, double* out) const override {
    child_->fill(t0, n, out);
    for (Step k = 0; k < n; ++k) {
      const std::uint64_t bits = mix64(seed_ + static_cast<std::uint64_t>(t0 + k));
      const double u = static_cast<double>(bits >> 11) * 0x1.0p-53 * 2.0 - 1.0;
      out[k] = out[k] * (1.0 + amount_ * u);
    }
  }

 private:
  NodePtr child_;
  double amount_;
  std::uint64_t seed_;
};

}  // namespace lrkit
