// Table drivers exposed to Python: check the output buffer, then fill it with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings.hpp"
#include "gil.hpp"
#include "table.hpp"

namespace py = pybind11;

namespace lrkit {
namespace {

void require_float64(const py::array& a, const char* name, py::ssize_t ndim, bool writeable) {
  if (!a.dtype().is(py::dtype::of<double>()))
    throw py::type_error(std::string(name) + " must have dtype float64, got " +
                         std::string(py::str(a.dtype())));
  if (a.ndim() != ndim)
    throw py::value_error(std::string(name) + " must be " + std::to_string(ndim) +
                          "-dimensional, got " + std::to_string(a.ndim()) + " dimensions");
  if (!(a.flags() & py::array::c_style))
    throw py::value_error(std::string(name) + " must be C-contiguous");
  if (writeable && !a.writeable()) throw py::value_error(std::string(name) + " must be writeable");
  if (!(py::detail::array_proxy(a.ptr())->flags & py::detail::npy_api::NPY_ARRAY_ALIGNED_))
    throw py::value_error(std::string(name) + " must be aligned (a view at an odd byte offset is "
                          "not; pass a copy)");
}

void require_range(Step start, Step n) {
  if (start < 0) throw py::value_error("start must be >= 0, got " + std::to_string(start));
  if (start > kMaxStep || n > kMaxStep + 1 - start)
    throw py::value_error("steps must be <= 2**53, got start " + std::to_string(start) + " and " +
                          std::to_string(n) + " rows");
}

Step fill_1d(const NodePtr& node, Step start, py::array out) {
  require_float64(out, "out", 1, true);
  const Step n = out.shape(0);
  require_range(start, n);
  auto* data = static_cast<double*>(out.mutable_data());
  return without_gil([&] { return fill_rows(*node, start, n, data); });
}

Step fill_2d(const std::vector<NodePtr>& nodes, Step start, const py::object& base_obj,
             py::array out) {
  require_float64(out, "out", 2, true);
  const Step n = out.shape(0), groups = out.shape(1);
  require_range(start, n);
  if (nodes.empty()) throw py::value_error("nodes must not be empty");
  if (nodes.size() != 1 && static_cast<Step>(nodes.size()) != groups)
    throw py::value_error("got " + std::to_string(nodes.size()) + " schedules for " +
                          std::to_string(groups) + " groups");
  const double* base = nullptr;
  py::array base_arr;
  if (!base_obj.is_none()) {
    base_arr = base_obj.cast<py::array>();
    require_float64(base_arr, "base", 1, false);
    if (base_arr.shape(0) != groups)
      throw py::value_error("base has " + std::to_string(base_arr.shape(0)) +
                            " values for an out with " + std::to_string(groups) + " columns");
    base = static_cast<const double*>(base_arr.data());
  }
  std::vector<const Node*> raw;
  raw.reserve(nodes.size());
  for (const auto& p : nodes) raw.push_back(p.get());
  auto* data = static_cast<double*>(out.mutable_data());
  return without_gil([&] { return fill_groups(raw, start, n, base, groups, data); });
}

}  // namespace

void register_tables(py::module_& m) {
  m.def("fill", &fill_1d, py::arg("node"), py::arg("start"), py::arg("out"),
        "out[r] = node(start + r). Returns the first non-finite row, or -1.");
  m.def("fill_groups", &fill_2d, py::arg("nodes"), py::arg("start"), py::arg("base"),
        py::arg("out"),
        "out[r, g] = base[g] * nodes[g or 0](start + r) (base None means 1). Returns the first "
        "non-finite flat index, or -1.");
  m.attr("BLOCK") = kBlock;
  m.def(
      "simd_path", [] { return std::string(simd::path_name(simd::active_path())); },
      "The vector unit the engine's loops run on: 'avx512f', 'avx2' or 'baseline' (the widest "
      "the CPU has, capped by LRKIT_SIMD). Every path gives the same bits.");
  m.def(
      "cpu_simd_path", [] { return std::string(simd::path_name(simd::cpu_path())); },
      "The widest vector unit this CPU has (what simd_path() uses without LRKIT_SIMD).");
  m.def(
      "num_threads", [] { return Pool::instance().width(); },
      "Threads a large table is split over (LRKIT_NUM_THREADS, else the cores, at most 4; fewer "
      "if the system refused to start some).");
}

}  // namespace lrkit
