// Branch-free elementary functions that vectorise, with the same bits on every SIMD path.
//
// libm's cos is scalar (~9 ns per call); these are plain sequences of correctly rounded IEEE
// operations (no FMA: the build has -ffp-contract=off), which the compiler vectorises and which
// give one result on every CPU. The engine is held to the contract of docs/contract.md by
// tests/test_accuracy.py.
#pragma once

#include "engine.hpp"

namespace lrkit::vmath {

constexpr double kPi = 3.141592653589793;               // == math.pi
constexpr double kPio2Hi = 1.5707963267948966;          // fl(pi / 2) == kPi / 2
constexpr double kPio2Lo = 6.123233995736766e-17;       // pi / 2 - kPio2Hi
// sin(y) for |y| <= pi / 2 (and a little beyond): y + y**3 * P(y**2), P of degree 7 (through
// y**17), interpolated at the Chebyshev nodes of [0, (pi / 2)**2] in 50-digit arithmetic
// (scripts/sin_coefficients.py); the approximation error is far below an ulp, so the rounding
// of Horner's scheme in doubles sets the accuracy (<= 1 * 2**-52 against the correctly rounded
// sin over [0, pi / 2]).
inline double sin_poly(double y) {
  const double y2 = y * y;
  double p = 2.7314447669863995e-15;
  p = p * y2 + -7.643970296798572e-13;
  p = p * y2 + 1.6058977312464087e-10;
  p = p * y2 + -2.5052107616996182e-08;
  p = p * y2 + 2.7557319219163234e-06;
  p = p * y2 + -0.00019841269841254974;
  p = p * y2 + 0.008333333333333316;
  p = p * y2 + -0.16666666666666666;
  return y + y * y2 * p;
}

// cos(x) for 0 <= x <= pi: -sin(x - pi / 2), with pi / 2 in two parts (x - kPio2Hi is exact
// for x >= pi / 4, and where it is not the error is scaled by sin(x), which is small there).
// Outside [0, pi] callers use libm's cos: a vector range reduction in doubles loses up to an
// ulp of the reduced argument, which the contract cannot afford.
inline double cos_0_pi(double x) { return -sin_poly((x - kPio2Hi) - kPio2Lo); }

}  // namespace lrkit::vmath
