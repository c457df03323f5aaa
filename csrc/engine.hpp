// lrkit engine: schedule nodes that fill ranges of steps. Pure C++17, no Python.
//
// Every node computes out[i] = f(t0 + i) from the absolute step only (no recurrences), with the
// reference's operations in python/lrkit/ (or the vectorised cosine of vmath.hpp, within the
// contract of docs/contract.md): tables are chunk-invariant bit for bit, on every CPU.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace lrkit {

using Step = std::int64_t;

class Node {
 public:
  virtual ~Node() = default;
  // Writes the values of steps t0 .. t0 + n - 1 (t0 >= 0) into out[0 .. n).
  virtual void fill(Step t0, Step n, double* out) const = 0;
  // False when fill() calls back into Python (it then needs the GIL, so one thread only).
  virtual bool native() const { return true; }
  // Levels of nodes below and including this one (1 for a primitive).
  int depth() const { return depth_; }

 protected:
  int depth_ = 1;
};

using NodePtr = std::shared_ptr<Node>;

// Largest number of steps a node is asked for at once by the drivers in table.hpp; combinators
// size their scratch buffers from it, which keeps memory bounded whatever the table length.
constexpr Step kBlock = 4096;

// Largest step (== lrkit.units.MAX_STEPS, 2**53): steps are exact doubles, and sums of steps and
// durations (each <= kMaxStep) never overflow int64.
constexpr Step kMaxStep = Step{1} << 53;

}  // namespace lrkit
