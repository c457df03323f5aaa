// Declarations shared by the binding files (each area registers itself on the module).
#pragma once

#include <pybind11/pybind11.h>

namespace lrkit {
void register_nodes(pybind11::module_& m);
void register_tables(pybind11::module_& m);
void register_cycles(pybind11::module_& m);
void register_torch_parity(pybind11::module_& m);
void register_hf_parity(pybind11::module_& m);
void register_timm_parity(pybind11::module_& m);
void register_groups(pybind11::module_& m);
}  // namespace lrkit
