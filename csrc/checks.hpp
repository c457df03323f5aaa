// Invariants every node checks at construction, so a node built from Python by hand (the private
// lrkit._core constructors) raises ValueError instead of crashing the interpreter in fill().
// The public API validates its arguments earlier, with messages naming the schedule's parameters.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine.hpp"

namespace lrkit {

// The deepest node tree the engine evaluates: fill() recurses once per level, and a deeper tree
// would overflow a thread's stack (a million nested scales did).
constexpr int kMaxDepth = 10000;

[[noreturn]] inline void invalid(const char* node, const std::string& what) {
  throw std::invalid_argument(std::string(node) + ": " + what);
}

inline void require(bool ok, const char* node, const char* what) {
  if (!ok) invalid(node, what);
}

inline void require_at_least(Step value, Step minimum, const char* node, const char* name) {
  if (value < minimum || value > kMaxStep)
    invalid(node, std::string(name) + " must be in [" + std::to_string(minimum) + ", 2**53], got " +
                      std::to_string(value));
}

inline void require_increasing(const std::vector<Step>& steps, const char* node, const char* name) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i] < 0 || steps[i] > kMaxStep)
      invalid(node, std::string(name) + " must be steps in [0, 2**53]");
    if (i > 0 && steps[i] <= steps[i - 1])
      invalid(node, std::string(name) + " must be strictly increasing");
  }
}

// The depth of a combinator over `children` (each non-null), checked against kMaxDepth.
inline int depth_over(const std::vector<const Node*>& children, const char* node) {
  int deepest = 0;
  for (const Node* child : children) {
    if (child == nullptr) invalid(node, "a child node is None");
    deepest = std::max(deepest, child->depth());
  }
  if (deepest + 1 > kMaxDepth)
    invalid(node, "the schedule tree is deeper than " + std::to_string(kMaxDepth) + " levels");
  return deepest + 1;
}

template <class Ptr>
std::vector<const Node*> raw(const std::vector<Ptr>& nodes) {
  std::vector<const Node*> out;
  out.reserve(nodes.size());
  for (const auto& p : nodes) out.push_back(p.get());
  return out;
}

}  // namespace lrkit
