// Writing a table row into a torch optimizer's param groups: the per-step work of
// lrkit.torch.Scheduler and of the drop-ins, in one C loop instead of a Python loop over groups.
//
// These are plain CPython functions (METH_FASTCALL), not pybind11 ones: a step costs a few
// hundred nanoseconds in all, and pybind11's argument dispatch alone would be a large part of
// it. They run with the GIL held (they touch Python objects) and check everything before they
// write anything, so an error leaves every group as it was.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "bindings.hpp"
#include "simd.hpp"

namespace py = pybind11;

namespace lrkit {
namespace {

// A float64 C-contiguous numpy array of one or two dimensions, seen as rows x columns.
struct Rows {
  const double* data = nullptr;
  Py_ssize_t rows = 0;
  Py_ssize_t columns = 0;
};

PyObject* type_of(PyObject* obj) { return reinterpret_cast<PyObject*>(Py_TYPE(obj)); }

// Fills `out` from `obj`, or sets a TypeError naming `name` and returns false.
bool as_rows(PyObject* obj, const char* name, Rows& out) {
  if (!py::array_t<double, py::array::c_style>::check_(obj)) {
    if (py::detail::npy_api::get().PyArray_Check_(obj)) {
      const bool contiguous =
          (py::detail::array_proxy(obj)->flags & py::detail::npy_api::NPY_ARRAY_C_CONTIGUOUS_) != 0;
      PyObject* dtype = PyObject_GetAttrString(obj, "dtype");
      if (dtype == nullptr) return false;
      PyErr_Format(PyExc_TypeError,
                   "%s must be a C-contiguous float64 numpy array, got a %sarray of dtype %S",
                   name, contiguous ? "" : "non-contiguous ", dtype);
      Py_DECREF(dtype);
    } else {
      PyErr_Format(PyExc_TypeError, "%s must be a C-contiguous float64 numpy array, got %R",
                   name, type_of(obj));
    }
    return false;
  }
  const auto* a = py::detail::array_proxy(obj);
  if (a->nd != 1 && a->nd != 2) {
    PyErr_Format(PyExc_TypeError, "%s must be 1- or 2-dimensional, got %d dimensions", name,
                 a->nd);
    return false;
  }
  out.data = reinterpret_cast<const double*>(a->data);
  out.rows = a->dimensions[0];
  out.columns = a->nd == 2 ? a->dimensions[1] : 1;
  return true;
}

bool as_index(PyObject* obj, const char* name, Py_ssize_t& out) {
  if (!PyLong_Check(obj)) {
    PyErr_Format(PyExc_TypeError, "%s must be an int, got %R", name, type_of(obj));
    return false;
  }
  out = PyLong_AsSsize_t(obj);
  if (out == -1 && PyErr_Occurred()) {
    // Beyond Py_ssize_t: outside every table. The callers treat that as "not in this chunk".
    if (!PyErr_ExceptionMatches(PyExc_OverflowError)) return false;
    PyErr_Clear();
    out = -1;
  }
  return true;
}

// Finite and >= 0 (NaN fails both comparisons).
bool writable_value(double v) { return v >= 0.0 && v <= DBL_MAX; }

// The arguments every writer starts with: the number of them, a list of param groups (when
// `groups` is not nullptr), a table and a row; false with a TypeError set otherwise.
bool parse_common(const char* signature, Py_ssize_t nargs, Py_ssize_t expected, PyObject* groups,
                  PyObject* table_obj, PyObject* row_obj, Rows& table, Py_ssize_t& row) {
  if (nargs != expected) {
    PyErr_Format(PyExc_TypeError, "%s takes %zd arguments, got %zd", signature, expected, nargs);
    return false;
  }
  if (groups != nullptr && !PyList_Check(groups)) {
    PyErr_Format(PyExc_TypeError, "groups must be a list of param-group dicts, got %R",
                 type_of(groups));
    return false;
  }
  return as_rows(table_obj, "table", table) && as_index(row_obj, "row", row);
}

// Whether every values[i] (or factor * values[i]) may be writable, on the bits: bit 63 of
// `bits | ((bits & exponent) + lowest exponent bit)` is set when the sign is (a negative value,
// or -0.0) or the exponent is all ones (inf, NaN). Integer ORs and adds vectorise on every
// x86-64 (comparisons of doubles in a reduction do not); when it flags something, each value is
// checked with writable_value (-0.0 is writable).
constexpr std::uint64_t kExponent = 0x7ff0000000000000ULL;
constexpr std::uint64_t kExponentOne = 0x0010000000000000ULL;

inline std::uint64_t bad_bits(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits | ((bits & kExponent) + kExponentOne);
}

// The loops over groups run through simd::run (csrc/simd.hpp), vectorised for the CPU's widest
// unit: the same IEEE products and integer operations on every path, so the same results.
inline bool all_writable(const double* values, Py_ssize_t n) {
  const std::uint64_t acc = simd::run([=] {
    std::uint64_t bits = 0;
    for (Py_ssize_t i = 0; i < n; ++i) bits |= bad_bits(values[i]);
    return bits;
  });
  if ((acc >> 63) == 0) return true;
  for (Py_ssize_t i = 0; i < n; ++i)
    if (!writable_value(values[i])) return false;
  return true;
}

// out[i] = base[i] * factor for every i when every product is writable (true); else nothing.
inline bool scale_writable(double* out, const double* base, double factor, Py_ssize_t n) {
  const std::uint64_t acc = simd::run([=] {
    std::uint64_t bits = 0;
    for (Py_ssize_t i = 0; i < n; ++i) bits |= bad_bits(base[i] * factor);
    return bits;
  });
  if ((acc >> 63) != 0) {
    for (Py_ssize_t i = 0; i < n; ++i)
      if (!writable_value(base[i] * factor)) return false;
  }
  simd::run([=] {
    for (Py_ssize_t i = 0; i < n; ++i) out[i] = base[i] * factor;
  });
  return true;
}

// The ValueError for a value that must not reach an optimizer; key may be nullptr.
PyObject* bad_value(PyObject* key, Py_ssize_t group, double v) {
  PyObject* number = PyFloat_FromDouble(v);
  if (number == nullptr) return nullptr;
  if (key != nullptr) {
    PyErr_Format(PyExc_ValueError,
                 "param group %zd: %U would be %R; lrkit writes only finite values >= 0 into "
                 "an optimizer",
                 group, key, number);
  } else {
    PyErr_Format(PyExc_ValueError,
                 "param group %zd would get %R; lrkit writes only finite values >= 0 into an "
                 "optimizer",
                 group, number);
  }
  Py_DECREF(number);
  return nullptr;
}

// True when every values[i] is writable; else false with bad_value's error for the first.
bool check_writable(const double* values, Py_ssize_t n, PyObject* key) {
  if (all_writable(values, n)) return true;
  for (Py_ssize_t g = 0; g < n; ++g)
    if (!writable_value(values[g])) {
      bad_value(key, g, values[g]);
      return false;
    }
  return true;
}

// groups[g][key] = values[g] for every g (groups checked to be dicts, values to be writable):
// returns the list of the floats written (keep) or None, or nullptr with an exception set.
PyObject* write_floats(PyObject* groups, PyObject* key, const double* values, Py_ssize_t count,
                       bool keep) {
  PyObject* written = keep ? PyList_New(count) : nullptr;
  if (keep && written == nullptr) return nullptr;
  for (Py_ssize_t g = 0; g < count; ++g) {
    // Re-read the list each time: releasing a group's old value may run arbitrary code.
    if (g >= PyList_GET_SIZE(groups)) {
      Py_XDECREF(written);
      PyErr_SetString(PyExc_RuntimeError, "the param-group list shrank while it was written");
      return nullptr;
    }
    PyObject* group = PyList_GET_ITEM(groups, g);
    PyObject* value = PyFloat_FromDouble(values[g]);
    if (value == nullptr) {
      Py_XDECREF(written);
      return nullptr;
    }
    Py_INCREF(group);
    const int failed = PyDict_CheckExact(group) ? PyDict_SetItem(group, key, value)
                                                : PyObject_SetItem(group, key, value);
    Py_DECREF(group);
    if (failed) {
      Py_DECREF(value);
      Py_XDECREF(written);
      return nullptr;
    }
    if (keep) {
      PyList_SET_ITEM(written, g, value);  // steals the reference; the dict holds its own
    } else {
      Py_DECREF(value);
    }
  }
  return keep ? written : Py_NewRef(Py_None);
}

// set_group_values(groups, key, table, row, /): the strict writer of lrkit.torch.Scheduler.
PyObject* set_group_values(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  Rows table;
  Py_ssize_t row;
  if (!parse_common("set_group_values(groups, key, table, row)", nargs, 4, args[0], args[2],
                    args[3], table, row))
    return nullptr;
  PyObject* groups = args[0];
  PyObject* key = args[1];
  if (!PyUnicode_Check(key)) {
    PyErr_Format(PyExc_TypeError, "key must be a str, got %R", type_of(key));
    return nullptr;
  }
  if (row < 0 || row >= table.rows) Py_RETURN_FALSE;  // not in this table: the next chunk
  const Py_ssize_t count = PyList_GET_SIZE(groups);
  if (count != table.columns) {
    PyErr_Format(PyExc_ValueError,
                 "the optimizer has %zd param groups and the table has %zd columns (one per "
                 "group); param groups added after the scheduler was built have no schedule",
                 count, table.columns);
    return nullptr;
  }
  const double* values = table.data + row * table.columns;
  for (Py_ssize_t g = 0; g < count; ++g) {
    PyObject* group = PyList_GET_ITEM(groups, g);
    if (!PyDict_Check(group)) {
      PyErr_Format(PyExc_TypeError, "param group %zd must be a dict, got %R", g, type_of(group));
      return nullptr;
    }
  }
  if (!check_writable(values, count, key)) return nullptr;
  PyObject* done = write_floats(groups, key, values, count, false);
  if (done == nullptr) return nullptr;
  Py_DECREF(done);
  Py_RETURN_TRUE;
}

// One entry of `keys`: a str (groups[g][name] = value) or a (str, int) tuple naming element
// `index` of a tuple or list entry (groups[g][name] becomes a new tuple with value there, as
// torch's cycling schedulers write Adam's betas[0]).
struct GroupKey {
  PyObject* name = nullptr;
  Py_ssize_t index = -1;  // -1: the entry itself
};

constexpr Py_ssize_t kMaxBlocks = 4;

bool parse_keys(PyObject* keys, GroupKey* out, Py_ssize_t& blocks) {
  const char* what =
      "keys must be a tuple of 1 to 4 keys, each a str or a (str, int >= 0) tuple, the first a "
      "str, got %R";
  if (!PyTuple_Check(keys) || PyTuple_GET_SIZE(keys) == 0 || PyTuple_GET_SIZE(keys) > kMaxBlocks) {
    PyErr_Format(PyExc_TypeError, what, keys);
    return false;
  }
  blocks = PyTuple_GET_SIZE(keys);
  for (Py_ssize_t k = 0; k < blocks; ++k) {
    PyObject* key = PyTuple_GET_ITEM(keys, k);
    if (PyUnicode_Check(key)) {
      out[k] = GroupKey{key, -1};
      continue;
    }
    if (k > 0 && PyTuple_Check(key) && PyTuple_GET_SIZE(key) == 2 &&
        PyUnicode_Check(PyTuple_GET_ITEM(key, 0)) && PyLong_Check(PyTuple_GET_ITEM(key, 1))) {
      const Py_ssize_t index = PyLong_AsSsize_t(PyTuple_GET_ITEM(key, 1));
      if (index == -1 && PyErr_Occurred()) PyErr_Clear();
      if (index >= 0) {
        out[k] = GroupKey{PyTuple_GET_ITEM(key, 0), index};
        continue;
      }
    }
    PyErr_Format(PyExc_TypeError, what, keys);
    return false;
  }
  return true;
}

// groups[g][name] = a tuple of groups[g][name] with element `index` replaced by values[g] (each
// entry checked to be a tuple or list with that element).
bool write_elements(PyObject* groups, const GroupKey& key, const double* values,
                    Py_ssize_t count) {
  for (Py_ssize_t g = 0; g < count; ++g) {
    if (g >= PyList_GET_SIZE(groups)) {
      PyErr_SetString(PyExc_RuntimeError, "the param-group list shrank while it was written");
      return false;
    }
    PyObject* group = PyList_GET_ITEM(groups, g);
    Py_INCREF(group);
    PyObject* old = PyDict_GetItemWithError(group, key.name);
    PyObject* items = old == nullptr ? nullptr : PySequence_Fast(old, "not a sequence");
    if (items == nullptr) {
      Py_DECREF(group);
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "a param group lost an entry");
      return false;
    }
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(items);
    PyObject* replaced = key.index < n ? PyTuple_New(n) : nullptr;
    PyObject* value = replaced == nullptr ? nullptr : PyFloat_FromDouble(values[g]);
    if (value == nullptr) {
      Py_XDECREF(replaced);
      Py_DECREF(items);
      Py_DECREF(group);
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "a param group's entry shrank");
      return false;
    }
    for (Py_ssize_t i = 0; i < n; ++i) {
      PyObject* item = i == key.index ? value : PySequence_Fast_GET_ITEM(items, i);
      if (i != key.index) Py_INCREF(item);
      PyTuple_SET_ITEM(replaced, i, item);
    }
    Py_DECREF(items);
    const int failed = PyDict_SetItem(group, key.name, replaced);
    Py_DECREF(replaced);
    Py_DECREF(group);
    if (failed) return false;
  }
  return true;
}

// step_group_values(groups, table, row, keys, chained, /): the drop-ins' fast path. Returns
// None, having written nothing, whenever torch's machinery must run instead.
PyObject* step_group_values(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  Rows table;
  Py_ssize_t row;
  GroupKey keys[kMaxBlocks];
  Py_ssize_t blocks = 0;
  if (!parse_common("step_group_values(groups, table, row, keys, chained)", nargs, 5, args[0],
                    args[1], args[2], table, row) ||
      !parse_keys(args[3], keys, blocks))
    return nullptr;
  PyObject* groups = args[0];
  const int chained = PyObject_IsTrue(args[4]);
  if (chained < 0) return nullptr;

  const Py_ssize_t count = PyList_GET_SIZE(groups);
  if (row < (chained ? 1 : 0) || row >= table.rows || count * blocks != table.columns)
    Py_RETURN_NONE;
  const double* values = table.data + row * table.columns;
  const double* previous = values - table.columns;  // used only when chained (row >= 1)
  for (Py_ssize_t g = 0; g < count; ++g) {
    PyObject* group = PyList_GET_ITEM(groups, g);
    if (!PyDict_CheckExact(group)) Py_RETURN_NONE;
    // torch's writes depend on the current value's type (a tensor lr is filled in place):
    // only exact floats are written here
    PyObject* current = PyDict_GetItemWithError(group, keys[0].name);
    if (current == nullptr) {
      if (PyErr_Occurred()) return nullptr;
      Py_RETURN_NONE;
    }
    if (!PyFloat_CheckExact(current)) Py_RETURN_NONE;
    if (chained && PyFloat_AS_DOUBLE(current) != previous[g]) Py_RETURN_NONE;
    for (Py_ssize_t k = 1; k < blocks; ++k) {
      if (keys[k].index < 0) continue;
      PyObject* entry = PyDict_GetItemWithError(group, keys[k].name);
      if (entry == nullptr && PyErr_Occurred()) return nullptr;
      if (entry == nullptr || !(PyTuple_Check(entry) || PyList_Check(entry)) ||
          Py_SIZE(entry) <= keys[k].index)
        Py_RETURN_NONE;
    }
  }
  if (!all_writable(values, table.columns)) Py_RETURN_NONE;
  for (Py_ssize_t k = blocks - 1; k >= 1; --k) {  // momentum first, lr last, as torch does
    const double* block = values + k * count;
    if (keys[k].index >= 0) {
      if (!write_elements(groups, keys[k], block, count)) return nullptr;
    } else {
      PyObject* done = write_floats(groups, keys[k].name, block, count, false);
      if (done == nullptr) return nullptr;
      Py_DECREF(done);
    }
  }
  return write_floats(groups, keys[0].name, values, count, true);
}

// The bases of tensor mode's products, packed once: an immutable copy (a capsule Python code
// cannot change) of values each finite and >= 0, with their largest. For v finite and >= 0,
// every base[g] * v is then writable when max * v is (rounding is monotone), so a step checks
// one product and writes the row in one pass.
struct PackedBases {
  std::vector<double> values;
  double max = 0.0;
};

constexpr const char* kPackedBases = "lrkit.packed_bases";

void free_packed_bases(PyObject* capsule) {
  delete static_cast<PackedBases*>(PyCapsule_GetPointer(capsule, kPackedBases));
}

// pack_bases(base, /): the PackedBases of a 1-d float64 array (a ValueError names a value that
// is not finite and >= 0).
PyObject* pack_bases(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs != 1) {
    PyErr_Format(PyExc_TypeError, "pack_bases(base) takes 1 argument, got %zd", nargs);
    return nullptr;
  }
  Rows base;
  if (!as_rows(args[0], "base", base)) return nullptr;
  if (base.columns != 1) {
    PyErr_Format(PyExc_ValueError, "base must be 1-dimensional, got %zd columns", base.columns);
    return nullptr;
  }
  auto packed = std::make_unique<PackedBases>();
  packed->values.assign(base.data, base.data + base.rows);
  for (Py_ssize_t g = 0; g < base.rows; ++g) {
    const double b = base.data[g];
    if (!writable_value(b)) {
      PyObject* number = PyFloat_FromDouble(b);
      if (number == nullptr) return nullptr;
      PyErr_Format(PyExc_ValueError, "base[%zd] must be finite and >= 0, got %R", g, number);
      Py_DECREF(number);
      return nullptr;
    }
    packed->max = std::max(packed->max, b);
  }
  PyObject* capsule = PyCapsule_New(packed.get(), kPackedBases, free_packed_bases);
  if (capsule != nullptr) packed.release();
  return capsule;
}

// fill_group_buffer(out, table, row, base, /): tensor-lr mode's step (out is the numpy view of
// the groups' shared buffer). With base (pack_bases, or a float64 array), the table has one
// column, the schedule's values, and out[g] = base[g] * table[row] (the product
// Schedule.table(base=...) computes); with base None it has one column per group and
// out = table[row].
PyObject* fill_group_buffer(PyObject*, PyObject* const* args, Py_ssize_t nargs) {
  Rows table;
  Py_ssize_t row;
  if (!parse_common("fill_group_buffer(out, table, row, base)", nargs, 4, nullptr, args[1],
                    args[2], table, row))
    return nullptr;
  PyObject* out_obj = args[0];
  if (!py::array_t<double, py::array::c_style>::check_(out_obj) ||
      py::detail::array_proxy(out_obj)->nd != 1 ||
      !(py::detail::array_proxy(out_obj)->flags & py::detail::npy_api::NPY_ARRAY_WRITEABLE_)) {
    PyErr_Format(PyExc_TypeError,
                 "out must be a writeable 1-d C-contiguous float64 numpy array, got %R",
                 type_of(out_obj));
    return nullptr;
  }
  auto* out = reinterpret_cast<double*>(py::detail::array_proxy(out_obj)->data);
  const Py_ssize_t count = py::detail::array_proxy(out_obj)->dimensions[0];
  const bool scaled = args[3] != Py_None;
  const PackedBases* packed = nullptr;
  Rows base;
  if (scaled) {
    if (PyCapsule_CheckExact(args[3])) {
      packed = static_cast<const PackedBases*>(PyCapsule_GetPointer(args[3], kPackedBases));
      if (packed == nullptr) return nullptr;  // another capsule: its name does not match
      base.data = packed->values.data();
      base.rows = static_cast<Py_ssize_t>(packed->values.size());
      base.columns = 1;
    } else if (!as_rows(args[3], "base", base)) {
      return nullptr;
    }
    if (base.columns != 1 || base.rows != count) {
      PyErr_Format(PyExc_ValueError, "base has %zd values and out %zd (one per group)",
                   base.rows * base.columns, count);
      return nullptr;
    }
    if (table.columns != 1) {
      PyErr_Format(PyExc_ValueError,
                   "with base, the table must have one column (the schedule's values), got %zd",
                   table.columns);
      return nullptr;
    }
  } else if (table.columns != count) {
    PyErr_Format(PyExc_ValueError, "the table has %zd columns and out %zd (one per group)",
                 table.columns, count);
    return nullptr;
  }
  if (row < 0 || row >= table.rows) Py_RETURN_FALSE;  // not in this table: the next chunk
  if (scaled) {
    const double v = table.data[row];
    const double* b = base.data;
    if (packed != nullptr && writable_value(v) && writable_value(packed->max * v)) {
      simd::run([=] {
        for (Py_ssize_t i = 0; i < count; ++i) out[i] = b[i] * v;
      });
    } else if (!scale_writable(out, b, v, count)) {
      for (Py_ssize_t g = 0; g < count; ++g)
        if (!writable_value(b[g] * v)) return bad_value(nullptr, g, b[g] * v);
    }
  } else {
    const double* values = table.data + row * table.columns;
    if (!check_writable(values, count, nullptr)) return nullptr;
    std::memcpy(out, values, static_cast<std::size_t>(count) * sizeof(double));
  }
  Py_RETURN_TRUE;
}

PyMethodDef kMethods[] = {
    {"set_group_values", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&set_group_values)),
     METH_FASTCALL,
     "set_group_values(groups, key, table, row, /)\n--\n\n"
     "groups[g][key] = float(table[row, g]) for every param group g; returns True, or False "
     "when row is outside the table. Raises (writing nothing) unless groups is a list of dicts "
     "with one per column and every value is finite and >= 0."},
    {"step_group_values",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&step_group_values)),
     METH_FASTCALL,
     "step_group_values(groups, table, row, keys, chained, /)\n--\n\n"
     "The drop-ins' step: column block k of table[row] (len(groups) columns each) into "
     "groups[g][keys[k]] (a key (name, i) replaces element i of a tuple entry by a new tuple); "
     "returns the list of block 0's floats. Returns None, writing nothing, unless every group "
     "is a dict whose keys[0] is a float (equal to table[row - 1, g] when chained), every value "
     "is finite and >= 0 and row is in the table."},
    {"fill_group_buffer",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&fill_group_buffer)),
     METH_FASTCALL,
     "fill_group_buffer(out, table, row, base, /)\n--\n\n"
     "out[g] = base[g] * table[row] (a one-column table; base from pack_bases, or a float64 "
     "array) or table[row, g] (base None); returns False when row is outside the table. Raises "
     "(writing nothing) unless every value is finite and >= 0."},
    {"pack_bases", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&pack_bases)),
     METH_FASTCALL,
     "pack_bases(base, /)\n--\n\n"
     "An immutable copy of base (a 1-d float64 array of values finite and >= 0) for "
     "fill_group_buffer, which then checks one product per step instead of one per group."},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace

void register_groups(py::module_& m) {
  py::detail::npy_api::get();  // numpy's C API, loaded once here rather than on a first step
  for (PyMethodDef* def = kMethods; def->ml_name != nullptr; ++def) {
    PyObject* fn = PyCFunction_NewEx(def, nullptr, m.attr("__name__").ptr());
    if (fn == nullptr) throw py::error_already_set();
    m.add_object(def->ml_name, py::reinterpret_steal<py::object>(fn));
  }
}

}  // namespace lrkit
