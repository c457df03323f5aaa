"""The coefficients of ``sin_poly`` in csrc/vmath.hpp, and their accuracy.

``sin(y) = y + y**3 * P(y**2)`` on ``|y| <= pi / 2``: ``P`` of degree 7 interpolates
``(sin(y) - y) / y**3`` at the 8 Chebyshev nodes of ``[0, (pi / 2)**2]`` in 50-digit arithmetic,
then each coefficient is rounded to a double. The script prints them and the largest error of
Horner's scheme in doubles against the correctly rounded ``sin`` on a grid (units of 2**-52).

Run: ``.venv/bin/python scripts/sin_coefficients.py`` (mpmath comes with torch's sympy).
"""

from __future__ import annotations

import math

import mpmath as mp

DEGREE = 7


def coefficients(degree: int = DEGREE) -> list[float]:
    mp.mp.dps = 50
    lo, hi = mp.mpf(0), (mp.pi / 2) ** 2
    n = degree + 1

    def f(s: mp.mpf) -> mp.mpf:
        y = mp.sqrt(s)
        return (mp.sin(y) - y) / y**3

    nodes = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (2 * k + 1) / (2 * n)) for k in range(n)]
    matrix = mp.matrix([[s**j for j in range(n)] for s in nodes])
    solved = mp.lu_solve(matrix, mp.matrix([f(s) for s in nodes]))
    return [float(solved[j]) for j in range(n)]


def sin_poly(y: float, c: list[float]) -> float:
    y2 = y * y
    p = c[-1]
    for coefficient in reversed(c[:-1]):
        p = p * y2 + coefficient
    return y + y * y2 * p


def main() -> None:
    c = coefficients()
    worst = 0.0
    for i in range(20001):
        y = (math.pi / 2) * i / 20000
        worst = max(worst, abs(sin_poly(y, c) - float(mp.sin(y))) / 2**-52)
    print("coefficients of y**3, y**5, ...:", *map(repr, c), sep="\n  ")
    print(f"largest error on the grid: {worst} * 2**-52")


if __name__ == "__main__":
    main()
