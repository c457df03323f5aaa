// Run-time dispatch of the engine's loops to the widest vector unit the CPU has.
//
// A loop is written once, as plain C++ in a lambda; lrkit::simd::run(loop) calls it through one
// of a few trampolines compiled for AVX-512F, AVX2 or the x86-64 baseline (SSE2) with `flatten`,
// which inlines the loop and everything it calls, so the compiler vectorises the same source for
// each target. Every path performs the same IEEE-754 operations in the same order (the build has
// -ffp-contract=off, so no path fuses a multiply-add, and only correctly rounded operations,
// exact conversions, comparisons and selects are vectorised), so every path gives the same bits:
// a table computed on one CPU is the table computed on any other.
//
// LRKIT_SIMD=baseline|avx2|avx512f (read once per process) caps the path, for tests and
// comparisons; a path the CPU lacks is never taken.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "engine.hpp"

namespace lrkit::simd {

enum class Path : int { kBaseline = 0, kAvx2 = 1, kAvx512f = 2 };

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define LRKIT_SIMD_X86 1
#else
#define LRKIT_SIMD_X86 0
#endif

// The widest path this CPU supports.
inline Path cpu_path() {
#if LRKIT_SIMD_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Path::kAvx512f;
  if (__builtin_cpu_supports("avx2")) return Path::kAvx2;
#endif
  return Path::kBaseline;
}

inline const char* path_name(Path p) {
  switch (p) {
    case Path::kAvx512f:
      return "avx512f";
    case Path::kAvx2:
      return "avx2";
    default:
      return "baseline";
  }
}

// The path in use: the CPU's widest, capped by LRKIT_SIMD if set (an unknown value is ignored).
inline Path active_path() {
  static const Path path = [] {
    Path p = cpu_path();
    if (const char* env = std::getenv("LRKIT_SIMD")) {
      Path cap = p;
      if (std::strcmp(env, "baseline") == 0) cap = Path::kBaseline;
      if (std::strcmp(env, "avx2") == 0) cap = Path::kAvx2;
      if (std::strcmp(env, "avx512f") == 0) cap = Path::kAvx512f;
      if (static_cast<int>(cap) < static_cast<int>(p)) p = cap;
    }
    return p;
  }();
  return path;
}

#if LRKIT_SIMD_X86
template <class Loop>
__attribute__((target("avx512f"), flatten)) auto run_avx512f(const Loop& loop) {
  return loop();
}
template <class Loop>
__attribute__((target("avx2"), flatten)) auto run_avx2(const Loop& loop) {
  return loop();
}
#endif
template <class Loop>
#if defined(__GNUC__) || defined(__clang__)
__attribute__((flatten))
#endif
auto run_baseline(const Loop& loop) {
  return loop();
}

// Calls loop() compiled for the active path and returns its result. The loop must not depend
// on which path runs. Capture by value what the loop reads ([=]): a reference into the caller's
// frame may alias the output, which keeps the compiler from vectorising.
template <class Loop>
auto run(const Loop& loop) {
#if LRKIT_SIMD_X86
  switch (active_path()) {
    case Path::kAvx512f:
      return run_avx512f(loop);
    case Path::kAvx2:
      return run_avx2(loop);
    default:
      break;
  }
#endif
  return run_baseline(loop);
}

}  // namespace lrkit::simd

namespace lrkit {

// out[i] = formula(double(t0 + i)) for i < n, vectorised. Within a block the step is an int
// offset from the block's first step (int64 -> double has no vector instruction before
// AVX-512DQ); base + offset is exact, so formula sees double(t0 + i) exactly.
template <class Formula>
void map_steps(Step t0, Step n, double* out, const Formula& formula) {
  for (Step b = 0; b < n; b += kBlock) {
    const int m = static_cast<int>(std::min(kBlock, n - b));
    const double base = static_cast<double>(t0 + b);
    double* dst = out + b;
    simd::run([&] {
      for (int i = 0; i < m; ++i) dst[i] = formula(base + static_cast<double>(i));
    });
  }
}

}  // namespace lrkit
