// Cyclic schedules and modifiers. Formulas mirror python/lrkit/cycles.py.
#pragma once

#include <cmath>
#include <cstdint>

#include "engine.hpp"
#include "primitives.hpp"

namespace lrkit {

// SGDR: cosine from peak_i = start * decay**i to end over cycle i of length period * mult**i,
// which starts at S_i = period * (1 - mult**i) / (1 - mult) (S_i <= t < S_{i+1});
// exactly peak_i at a restart, clamped to [min(peak_i, end), max(peak_i, end)] (as Cosine);
// `end` from cycle `limit` on (limit < 0: no limit).
class CosineRestarts final : public Node {
 public:
  CosineRestarts(double start, double end, Step period, double mult, double decay, Step limit)
      : start_(start), end_(end), period_(period), mult_(mult), decay_(decay), limit_(limit) {}
  void fill(Step t0, Step n, double* out) const override {
    const double P = static_cast<double>(period_);
    for (Step k = 0; k < n; ++k) {
      const Step t = t0 + k;
      double cycle, t_cur, t_i;
      if (mult_ == 1.0) {
        const Step i = t / period_;
        cycle = static_cast<double>(i);
        t_cur = static_cast<double>(t - i * period_);
        t_i = P;
      } else {
        // The log inverse of the cycle starts estimates the cycle; float rounding puts exact
        // boundaries one cycle off, so it is corrected against the starts (as in cycles.py).
        const double x = static_cast<double>(t);
        const double estimate = std::log(1.0 - x / P * (1.0 - mult_)) / std::log(mult_);
        cycle = std::isfinite(estimate) ? std::floor(estimate) : 0.0;
        for (int c = 0; c < kMaxCorrections; ++c) {
          if (cycle > 0.0 && cycle_start(cycle) > x) {
            cycle -= 1.0;
          } else if (cycle_start(cycle + 1.0) <= x) {
            cycle += 1.0;
          } else {
            break;
          }
        }
        t_i = std::pow(mult_, cycle) * P;
        t_cur = std::min(std::max(x - cycle_start(cycle), 0.0), t_i);
      }
      if (limit_ >= 0 && cycle >= static_cast<double>(limit_)) {
        out[k] = end_;
        continue;
      }
      const double peak = start_ * std::pow(decay_, cycle);
      out[k] = t_cur == 0.0
                   ? peak
                   : between(end_ + (peak - end_) * (1.0 + std::cos(kPi * t_cur / t_i)) / 2.0,
                             peak, end_);
    }
  }

 private:
  static constexpr int kMaxCorrections = 4;  // == _MAX_CORRECTIONS in cycles.py

  // First step of cycle i (mult != 1): period * (1 - mult**i) / (1 - mult).
  double cycle_start(double i) const {
    return static_cast<double>(period_) * (1.0 - std::pow(mult_, i)) / (1.0 - mult_);
  }

  double start_, end_;
  Step period_;
  double mult_, decay_;
  Step limit_;
};

// Triangle waves between low and high: up `up` steps, down `down` steps; the amplitude is
// scaled by 1 (mode 0, triangular), 0.5**cycle (mode 1, triangular2) or gamma**t (mode 2);
// exactly high at a full peak, clamped to [min(low, high), max(low, high)].
class Cyclic final : public Node {
 public:
  Cyclic(double low, double high, Step up, Step down, int mode, double gamma)
      : low_(low), high_(high), up_(up), down_(down), mode_(mode), gamma_(gamma) {}
  void fill(Step t0, Step n, double* out) const override {
    const Step total = up_ + down_;
    for (Step k = 0; k < n; ++k) {
      const Step t = t0 + k;
      const Step cycle = t / total, phase = t % total;
      const double scale = phase <= up_
                               ? static_cast<double>(phase) / static_cast<double>(up_)
                               : static_cast<double>(total - phase) / static_cast<double>(down_);
      double amplitude = 1.0;
      if (mode_ == 1) amplitude = std::pow(0.5, static_cast<double>(cycle));
      if (mode_ == 2) amplitude = std::pow(gamma_, static_cast<double>(t));
      out[k] = scale == 1.0 && amplitude == 1.0
                   ? high_
                   : between(low_ + (high_ - low_) * scale * amplitude, low_, high_);
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
      : child_(std::move(child)), amount_(amount), seed_(mix64(seed)) {}
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
