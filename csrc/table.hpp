// Table drivers: evaluate node(s) over a range of steps in blocks of kBlock, one row per step.
// Large tables of native nodes are split across a few std::threads by rows; every value depends
// on its absolute step only, so the split never changes a bit of the result.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <thread>
#include <vector>

#include "engine.hpp"

namespace lrkit {

// Below this many table entries a second thread costs more than it saves (measured ~1e5).
constexpr Step kParallelMin = Step{1} << 17;

// Threads for tables: LRKIT_NUM_THREADS if set (>= 1), else the hardware's, at most 4.
inline int max_threads() {
  static const int count = [] {
    if (const char* env = std::getenv("LRKIT_NUM_THREADS")) {
      const int v = std::atoi(env);
      if (v >= 1) return v;
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return static_cast<int>(std::clamp(hw, 1u, 4u));
  }();
  return count;
}

// Calls work(row_begin, row_end) over [0, n) in up to max_threads() pieces aligned to kBlock.
template <class Work>
void for_row_ranges(Step n, Step entries_per_row, bool native, Work&& work) {
  const Step entries = n * entries_per_row;
  int threads = native ? max_threads() : 1;
  threads = static_cast<int>(std::min<Step>(threads, std::max<Step>(1, entries / kParallelMin)));
  if (threads <= 1) {
    work(Step{0}, n);
    return;
  }
  const Step blocks = (n + kBlock - 1) / kBlock;
  const Step per = (blocks + threads - 1) / threads;
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
  for (int k = 1; k < threads; ++k) {
    const Step begin = std::min(n, k * per * kBlock), end = std::min(n, (k + 1) * per * kBlock);
    if (begin >= end) break;
    pool.emplace_back([&, k, begin, end] {
      try {
        work(begin, end);
      } catch (...) {
        errors[static_cast<std::size_t>(k)] = std::current_exception();
      }
    });
  }
  try {
    work(Step{0}, std::min(n, per * kBlock));
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// Index of the first non-finite entry of out[0 .. n), or -1. First a branch-free pass that
// vectorises (x * 0 is +-0 for finite x and NaN otherwise: OR the bits, look at the exponent),
// then the search only where something is wrong.
inline Step first_non_finite(const double* out, Step n) {
  std::uint64_t bits_or = 0;
  for (Step i = 0; i < n; ++i) {
    const double zero_or_nan = out[i] * 0.0;
    std::uint64_t bits;
    std::memcpy(&bits, &zero_or_nan, sizeof bits);
    bits_or |= bits;
  }
  if ((bits_or & 0x7FF0000000000000ULL) == 0) return -1;
  for (Step i = 0; i < n; ++i)
    if (!std::isfinite(out[i])) return i;
  return -1;
}

// The smallest index reported by any thread (each checks the blocks it has just written, while
// they are in cache), or -1.
class FirstBad {
 public:
  void report(Step offset, Step found) {
    if (found < 0) return;
    Step index = offset + found, seen = first_.load();
    while ((seen < 0 || index < seen) && !first_.compare_exchange_weak(seen, index)) {
    }
  }
  Step get() const { return first_.load(); }

 private:
  std::atomic<Step> first_{-1};
};

// out[r] = node(start + r), r < n. Returns the first non-finite row, or -1.
inline Step fill_rows(const Node& node, Step start, Step n, double* out) {
  FirstBad bad;
  for_row_ranges(n, 1, node.native(), [&](Step r0, Step r1) {
    for (Step b = r0; b < r1; b += kBlock) {
      const Step m = std::min(kBlock, r1 - b);
      node.fill(start + b, m, out + b);
      bad.report(b, first_non_finite(out + b, m));
    }
  });
  return bad.get();
}

// out[r, g] = base[g] * node_g(start + r) for an (n, G) row-major table, where node_g is
// nodes[g] (one node per group) or nodes[0] for every group; base may be null (then 1).
// Returns the first non-finite flat index, or -1.
inline Step fill_groups(const std::vector<const Node*>& nodes, Step start, Step n,
                        const double* base, Step groups, double* out) {
  bool native = true;
  for (const Node* node : nodes) native = native && node->native();
  FirstBad bad;
  for_row_ranges(n, groups, native, [&](Step r0, Step r1) {
    std::vector<double> row(static_cast<std::size_t>(std::min(r1 - r0, kBlock)));
    for (Step b = r0; b < r1; b += kBlock) {
      const Step m = std::min(kBlock, r1 - b);
      for (std::size_t k = 0; k < nodes.size(); ++k) {
        nodes[k]->fill(start + b, m, row.data());
        const Step g0 = nodes.size() == 1 ? 0 : static_cast<Step>(k);
        const Step g1 = nodes.size() == 1 ? groups : g0 + 1;
        for (Step r = 0; r < m; ++r) {
          double* dst = out + (b + r) * groups;
          const double v = row[static_cast<std::size_t>(r)];
          if (base) {
            for (Step g = g0; g < g1; ++g) dst[g] = base[g] * v;
          } else {
            for (Step g = g0; g < g1; ++g) dst[g] = v;
          }
        }
      }
      bad.report(b * groups, first_non_finite(out + b * groups, m * groups));
    }
  });
  return bad.get();
}

}  // namespace lrkit
