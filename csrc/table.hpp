// Table drivers: evaluate node(s) over a range of steps in blocks of kBlock, one row per step.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine.hpp"

namespace lrkit {

// Index of the first non-finite entry of out[0 .. n), or -1.
inline Step first_non_finite(const double* out, Step n) {
  for (Step i = 0; i < n; ++i)
    if (!std::isfinite(out[i])) return i;
  return -1;
}

// out[r] = node(start + r), r < n. Returns the first non-finite row, or -1.
inline Step fill_rows(const Node& node, Step start, Step n, double* out) {
  for (Step b = 0; b < n; b += kBlock) node.fill(start + b, std::min(kBlock, n - b), out + b);
  return first_non_finite(out, n);
}

// out[r, g] = base[g] * node_g(start + r) for an (n, G) row-major table, where node_g is
// nodes[g] (one node per group) or nodes[0] for every group; base may be null (then 1).
// Returns the first non-finite flat index, or -1.
inline Step fill_groups(const std::vector<const Node*>& nodes, Step start, Step n,
                        const double* base, Step groups, double* out) {
  std::vector<double> row(static_cast<std::size_t>(std::min(n, kBlock)));
  for (Step b = 0; b < n; b += kBlock) {
    const Step m = std::min(kBlock, n - b);
    if (nodes.size() == 1) {
      nodes[0]->fill(start + b, m, row.data());
      for (Step r = 0; r < m; ++r) {
        double* dst = out + (b + r) * groups;
        const double v = row[static_cast<std::size_t>(r)];
        if (base) {
          for (Step g = 0; g < groups; ++g) dst[g] = base[g] * v;
        } else {
          std::fill(dst, dst + groups, v);
        }
      }
    } else {
      for (Step g = 0; g < groups; ++g) {
        nodes[static_cast<std::size_t>(g)]->fill(start + b, m, row.data());
        const double scale = base ? base[g] : 1.0;
        for (Step r = 0; r < m; ++r)
          out[(b + r) * groups + g] =
              base ? scale * row[static_cast<std::size_t>(r)] : row[static_cast<std::size_t>(r)];
      }
    }
  }
  return first_non_finite(out, n * groups);
}

}  // namespace lrkit
