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
#include "pool.hpp"
#include "simd.hpp"

#if LRKIT_SIMD_X86
#include <emmintrin.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace lrkit {

// Below this many table entries a second thread costs more than it saves (measured ~1e5).
constexpr Step kParallelMin = Step{1} << 17;

// Calls work(row_begin, row_end) over [0, n) in up to max_threads() pieces aligned to kBlock
// (on the pool's threads when the table is large enough and every node is native).
template <class Work>
void for_row_ranges(Step n, Step entries_per_row, bool native, Work&& work) {
  const Step entries = n * entries_per_row;
  Step threads = native ? max_threads() : 1;
  threads = std::min<Step>(threads, std::max<Step>(1, entries / kParallelMin));
  const Step blocks = (n + kBlock - 1) / kBlock;
  threads = std::min(threads, std::max<Step>(1, blocks));
  if (threads <= 1) {
    work(Step{0}, n);
    return;
  }
  // A few parts per thread, claimed as threads come free: a worker that wakes late takes fewer.
  const Step parts = std::min(blocks, threads * 4);
  const Step per = (blocks + parts - 1) / parts;
  Pool::instance().run(static_cast<int>(parts), [&](int k) {
    const Step begin = std::min(n, k * per * kBlock), end = std::min(n, (k + 1) * per * kBlock);
    if (begin < end) work(begin, end);
  });
}

// Index of the first non-finite entry of out[0 .. n), or -1. First a branch-free pass that
// vectorises (x * 0 is +-0 for finite x and NaN otherwise: OR the bits, look at the exponent),
// then the search only where something is wrong.
inline Step first_non_finite(const double* out, Step n) {
  std::uint64_t bits_or = 0;
  simd::run([&] {
    std::uint64_t acc = 0;
    for (Step i = 0; i < n; ++i) {
      const double zero_or_nan = out[i] * 0.0;
      std::uint64_t bits;
      std::memcpy(&bits, &zero_or_nan, sizeof bits);
      acc |= bits;
    }
    bits_or = acc;
  });
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

// Tables of at least this many bytes are written with non-temporal stores (x86).
constexpr Step kStreamBytes = Step{64} << 20;

#if LRKIT_SIMD_X86 && defined(__linux__)
constexpr bool kCanStream = true;

// Whether the first and last pages of data[0 .. n) are in memory. A fresh array's pages are
// mapped (and zeroed by the kernel) on first write: ordinary stores then find each page in the
// cache, while streaming stores would pay for the zeroing and the stores separately.
inline bool mapped(const double* data, Step n) {
  static const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  for (const double* p : {data, data + n - 1}) {
    const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(p) & ~(page - 1);
    unsigned char in_core = 0;
    if (mincore(reinterpret_cast<void*>(at), page, &in_core) != 0 || !(in_core & 1)) return false;
  }
  return true;
}

inline void stream_fence() { _mm_sfence(); }

// dst[r * groups + g] = base[g] * rows[r] for r < m, with SSE2 non-temporal stores (the same
// multiplication, so the same bits, as the cached path). Returns the OR of the bits of each
// value * 0 (the finiteness check).
inline std::uint64_t write_streaming(const double* rows, Step m, const double* base, Step groups,
                                     double* dst) {
  __m128i acc = _mm_setzero_si128();
  std::uint64_t tail_bits = 0;
  const __m128d zero = _mm_setzero_pd();
  for (Step r = 0; r < m; ++r) {
    double* row = dst + r * groups;
    const double v = rows[r];
    Step g = 0;
    const auto scalar = [&](Step k) {
      const double x = base[k] * v;
      row[k] = x;
      const double zero_or_nan = x * 0.0;
      std::uint64_t bits;
      std::memcpy(&bits, &zero_or_nan, sizeof bits);
      tail_bits |= bits;
    };
    if (reinterpret_cast<std::uintptr_t>(row) % 16 != 0 && g < groups) scalar(g++);
    const __m128d vv = _mm_set1_pd(v);
    for (; g + 2 <= groups; g += 2) {
      const __m128d x = _mm_mul_pd(_mm_loadu_pd(base + g), vv);
      _mm_stream_pd(row + g, x);
      acc = _mm_or_si128(acc, _mm_castpd_si128(_mm_mul_pd(x, zero)));
    }
    if (g < groups) scalar(g);
  }
  alignas(16) std::uint64_t lanes[2];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), acc);
  return lanes[0] | lanes[1] | tail_bits;
}
#else
constexpr bool kCanStream = false;
inline bool mapped(const double*, Step) { return false; }
inline void stream_fence() {}
inline std::uint64_t write_streaming(const double*, Step, const double*, Step, double*) {
  return 0;
}
#endif

// out[r, g] = base[g] * node_g(start + r) for an (n, G) row-major table, where node_g is
// nodes[g] (one node per group) or nodes[0] for every group; base may be null (then 1).
// Returns the first non-finite flat index, or -1.
//
// One node: it fills a block of the shared row, then each table row is written in one
// vectorised pass over the groups, which also ORs the bits of value * 0 (the finiteness check
// without a second pass over memory). One node per group: each fills a few rows into a scratch
// tile small enough for the cache, which is then written out row by row.
inline Step fill_groups(const std::vector<const Node*>& nodes, Step start, Step n,
                        const double* base, Step groups, double* out) {
  bool native = true;
  for (const Node* node : nodes) native = native && node->native();
  const bool shared = nodes.size() == 1;
  // Rows per tile: a whole block for one node; for one node per group, about 256 KiB of tile.
  const Step tile = shared ? kBlock : std::clamp<Step>((Step{1} << 15) / groups, 16, kBlock);
  // Tables far larger than the caches bypass them (non-temporal stores): no read of each line
  // before it is overwritten, and the caches keep what the caller uses next.
  const bool streaming = kCanStream && n * groups * 8 >= kStreamBytes;
  FirstBad bad;
  for_row_ranges(n, groups, native, [&](Step r0, Step r1) {
    std::vector<double> scratch(static_cast<std::size_t>(shared ? tile : tile * groups));
    double* rows = scratch.data();
    for (Step b = r0; b < r1; b += tile) {
      const Step m = std::min(tile, r1 - b);
      if (shared) {
        nodes[0]->fill(start + b, m, rows);
      } else {
        for (Step g = 0; g < groups; ++g) nodes[static_cast<std::size_t>(g)]->fill(start + b, m, rows + g * m);
      }
      // Writes the tile's rows; value(r, g) is the unscaled value of row r, group g.
      std::uint64_t bits_or = 0;
      const auto write = [&](const auto& value) {
        simd::run([&] {
          std::uint64_t acc = 0;
          for (Step r = 0; r < m; ++r) {
            double* dst = out + (b + r) * groups;
            for (Step g = 0; g < groups; ++g) {
              const double x = value(r, g);
              dst[g] = x;
              const double zero_or_nan = x * 0.0;
              std::uint64_t bits;
              std::memcpy(&bits, &zero_or_nan, sizeof bits);
              acc |= bits;
            }
          }
          bits_or = acc;
        });
      };
      if (shared && base && streaming && mapped(out + b * groups, m * groups)) {
        bits_or = write_streaming(rows, m, base, groups, out + b * groups);
      } else if (shared && base) {
        write([&](Step r, Step g) { return base[g] * rows[r]; });
      } else if (shared) {
        write([&](Step r, Step) { return rows[r]; });
      } else if (base) {
        write([&](Step r, Step g) { return base[g] * rows[g * m + r]; });
      } else {
        write([&](Step r, Step g) { return rows[g * m + r]; });
      }
      if ((bits_or & 0x7FF0000000000000ULL) != 0)
        bad.report(b * groups, first_non_finite(out + b * groups, m * groups));
    }
  });
  if (streaming) stream_fence();
  return bad.get();
}

}  // namespace lrkit
