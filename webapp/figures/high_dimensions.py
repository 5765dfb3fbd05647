r"""High dimensions: why saddles outnumber minima, and why nobody stores the Hessian (lecture 7).

**How often is a random critical point a minimum?** Model the Hessian at a critical point of a
random N-dimensional loss as a matrix of the Gaussian orthogonal ensemble (GOE):
``H = (G + G^T) / 2`` with ``G`` an N x N matrix of independent standard normals (diagonal
variance 1, off-diagonal variance 1/2). The point is a minimum when every eigenvalue is positive,
a maximum when every one is negative, a saddle otherwise. :func:`minimum_chance` estimates

.. math::  p_N = P(\lambda_\min(H) > 0)

by Monte Carlo (:data:`SAMPLES` matrices per N, a fixed seed, so every page shows the same
numbers) with its standard error ``sqrt(p (1 - p) / n)``. By symmetry a maximum has the same
chance, so a saddle has ``1 - 2 p_N``. Closed forms: ``p_1 = 1/2``; at N = 2 the eigenvalues
are ``(a + c)/2 +- sqrt(((a - c)/2)^2 + b^2)`` with ``a, c ~ N(0, 1)``, ``b ~ N(0, 1/2)``,
and ``p_2 = (2 - sqrt 2) / 4 = 0.146`` (:data:`P2_EXACT`). ``p_N`` falls like ``exp(-c N^2)``
(Dean and Majumdar 2006): at N = 5 about 2e-4, and for a network's millions of parameters
essentially every critical point is a saddle.

**What does the Hessian cost?** :func:`hessian_costs` at N parameters, in float64 (8 bytes):

* the Hessian stores N^2 numbers; inverting it (or solving with it) costs about N^3 flops;
* L-BFGS stores m pairs ``(s, y)`` of N-vectors, ``2 m N`` numbers, and its two-loop recursion
  costs about ``4 m N`` flops a step.

At N = 1e8 and 1 TFLOP/s: 80 PB and about 31,700 years against 16 GB and 4 ms (m = 10).
"""
from __future__ import annotations

import functools

import numpy as np

from webapp.figures.encode import round_significant

__all__ = ["minimum_chance", "hessian_costs", "chance_figure", "cost_rows", "SAMPLES", "SEED", "DIMENSIONS",
           "P2_EXACT", "BYTES_PER_FLOAT", "SECONDS_PER_YEAR", "readable_bytes", "readable_seconds"]

SAMPLES = 100_000
SEED = 20261204
DIMENSIONS = (1, 2, 3, 4, 5)
P2_EXACT = (2.0 - np.sqrt(2.0)) / 4.0
BYTES_PER_FLOAT = 8
SECONDS_PER_YEAR = 365.25 * 24 * 3600


@functools.lru_cache(maxsize=4)
def minimum_chance(dimensions: tuple = DIMENSIONS, samples: int = SAMPLES, seed: int = SEED) -> dict:
    """Monte Carlo over GOE matrices: N -> ``{"p": P(all eigenvalues > 0), "se": its standard error,
    "p_max": P(all < 0), "saddle": the rest, "samples": n}`` (cached: the same arguments, the same numbers)."""
    out = {}
    for n in dimensions:
        rng = np.random.default_rng([seed, n])          # one stream per N: p_N does not depend on the other Ns
        g = rng.standard_normal((samples, n, n))
        h = 0.5 * (g + np.swapaxes(g, 1, 2))                         # (S, N, N) symmetric
        eigenvalues = np.linalg.eigvalsh(h)                          # (S, N) ascending
        minimum, maximum = eigenvalues[:, 0] > 0, eigenvalues[:, -1] < 0
        p = float(np.mean(minimum))
        out[n] = {"p": p, "se": float(np.sqrt(p * (1 - p) / samples)), "p_max": float(np.mean(maximum)),
                  "saddle": float(np.mean(~minimum & ~maximum)), "samples": samples}
    return out


def hessian_costs(n: float, memory_pairs: int = 10, flops_per_second: float = 1e12) -> dict:
    """Memory (bytes) and time (seconds) of the Hessian (N^2 floats, N^3 flops to invert) and of
    L-BFGS (2 m N floats, 4 m N flops a step) at ``n`` parameters."""
    n = float(n)
    return {"n": n, "m": int(memory_pairs), "flops_per_second": float(flops_per_second),
            "hessian_bytes": n * n * BYTES_PER_FLOAT, "hessian_seconds": n ** 3 / flops_per_second,
            "lbfgs_bytes": 2 * memory_pairs * n * BYTES_PER_FLOAT,
            "lbfgs_seconds": 4 * memory_pairs * n / flops_per_second}


def readable_bytes(value: float) -> str:
    """Bytes in decimal units: ``8e16`` -> ``"80 PB"``."""
    for unit, size in (("EB", 1e18), ("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= size:
            return f"{value / size:,.3g} {unit}"
    return f"{value:.3g} B"


def readable_seconds(value: float) -> str:
    """Seconds as years, days, hours, seconds or milliseconds: ``1e12`` -> ``"31,700 years"``."""
    if value >= SECONDS_PER_YEAR:
        years = value / SECONDS_PER_YEAR
        return f"{float(f'{years:.3g}'):,.0f} years" if years >= 100 else f"{years:.3g} years"
    for unit, size in (("days", 86400.0), ("hours", 3600.0), ("s", 1.0), ("ms", 1e-3), ("\u00b5s", 1e-6)):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value * 1e9:.3g} ns"


def cost_rows(n: float, memory_pairs: int = 10, flops_per_second: float = 1e12) -> list[dict]:
    """The cost table's rows: what each method stores and what a step costs, computed."""
    costs = hessian_costs(n, memory_pairs, flops_per_second)
    return [
        {"method": "Newton: the Hessian and its inverse", "stores": f"N\u00b2 = {n * n:.3g} floats",
         "memory": readable_bytes(costs["hessian_bytes"]), "work": f"N\u00b3 = {n ** 3:.3g} flops",
         "time": readable_seconds(costs["hessian_seconds"])},
        {"method": f"L-BFGS, m = {memory_pairs} pairs", "stores": f"2mN = {2 * memory_pairs * n:.3g} floats",
         "memory": readable_bytes(costs["lbfgs_bytes"]), "work": f"4mN = {4 * memory_pairs * n:.3g} flops",
         "time": readable_seconds(costs["lbfgs_seconds"])},
    ]


def chance_figure(chances: dict) -> dict:
    """Bars of P(minimum) by N (log scale) with their standard errors, and the saddles' share as text."""
    dims = sorted(chances)
    p = [chances[n]["p"] for n in dims]
    se = [chances[n]["se"] for n in dims]
    text = [f"{100 * chances[n]['p']:.3g}% minima, {100 * chances[n]['saddle']:.3g}% saddles" for n in dims]
    shown = [max(v, 1e-6) for v in p]
    return {
        "data": [{"type": "bar", "x": [str(n) for n in dims], "y": round_significant(shown, 4),
                  "error_y": {"type": "data", "array": round_significant(se, 3), "visible": True},
                  "text": text, "textposition": "outside", "marker": {"color": "#0072B2"},
                  "hovertemplate": "N = %{x}<br>P(minimum) = %{y:.3g}<extra></extra>", "name": "P(minimum)"}],
        "layout": {"height": 300, "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
                   "title": {"text": f"A random critical point is a minimum ({chances[dims[0]]['samples']:,} "
                                     f"GOE Hessians per N)", "font": {"size": 14}},
                   "xaxis": {"title": {"text": "dimension N"}, "type": "category"},
                   "yaxis": {"title": {"text": "P(all eigenvalues > 0)"}, "type": "log", "exponentformat": "power"},
                   "showlegend": False},
    }
