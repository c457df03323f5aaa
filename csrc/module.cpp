// lrkit._core: the C++ engine. This file only assembles the areas.
#include "bindings.hpp"

// The interface version, python/lrkit/_native.py's ABI_VERSION (CMake compiles it in): bump it
// there whenever the Python-visible interface changes; lrkit refuses a stale build at import.
constexpr int kAbiVersion = LRKIT_ABI_VERSION;

PYBIND11_MODULE(_core, m) {
  m.doc() = "lrkit's C++ engine: schedule nodes evaluated over ranges of steps, GIL released.";
  m.attr("ABI_VERSION") = kAbiVersion;
  lrkit::register_nodes(m);
  lrkit::register_tables(m);
  lrkit::register_cycles(m);
  lrkit::register_torch_parity(m);
  lrkit::register_hf_parity(m);
  lrkit::register_timm_parity(m);
  lrkit::register_groups(m);
}
