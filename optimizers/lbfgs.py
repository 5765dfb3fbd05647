"""L-BFGS (torch.optim.LBFGS) with all runs stepping together as ``(N, 2)`` arrays.

torch's ``LBFGS.step`` is a loop with data-dependent branches: the first-order
test on entry, up to ``max_iter`` inner iterations, the curvature check of the
history update, the tests on ``tolerance_grad`` / ``tolerance_change`` and
``max_eval``, and the strong-Wolfe line search with its bracketing and zoom
phases. Here every branch is a boolean mask over the runs: all runs still in
a loop take its next pass together (one batched evaluation of the surface per
pass), and a run that leaves a loop is dropped from the index set of the
runs that continue. Rows never interact, so a batch equals separate runs bit
for bit. The two-loop recursion is sequential in the history, so with up to
``_FEW_ROWS`` rows it runs on Python floats instead (:func:`_two_loop_floats`,
the same operations in the same order, hence the same bits).

Rounding follows torch's float64 CPU kernels operation by operation, with two
points reproduced on purpose:

* ``a.add_(b, alpha=c)`` is ``fma(c, b, a)`` (one rounding): :func:`fma`
  computes it exactly in NumPy (80-bit ``longdouble`` with a proof of correct
  rounding, exact scalar fallback for the rare unproven elements);
* ``number / tensor`` is ``reciprocal(tensor) * number`` (two roundings): the
  line search carries, per run, whether each step length is a 0-dim tensor in
  torch's code (``kind`` arrays), see :func:`cubic_interpolate`.

One difference remains: torch's float64 ``sqrt`` (MKL) is not correctly
rounded (up to about 0.52 ulp) and the line search takes one square root per
cubic interpolation, so paths are usually bit-identical to torch's and
otherwise agree to about 1e-15, except where a line search extrapolating on an
unbounded surface amplifies a last-bit difference.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from landscapes.schema import Param
from optimizers.base import Optimizer, register
from optimizers.common import lr_param

__all__ = ["LBFGS", "fma", "cubic_interpolate", "strong_wolfe", "lbfgs_step", "new_state"]

# ------------------------------------------------------------------ fused multiply-add
_SPLIT = 134217729.0   # 2^27 + 1, Veltkamp's splitter for float64
_LONG = np.longdouble
_LONG_UNIT = np.finfo(_LONG).eps / 2   # unit roundoff: 2^-64 on x86 (80-bit); 2^-53 where longdouble is double


def _fma_scalar(a: float, b: float, c: float) -> float:
    """``a * b + c`` rounded once, on Python floats (the exact fallback of :func:`fma`).

    Error-free transformations give a*b + c = r + err2 + eps exactly, r being the
    float nearest s + v:

        a*b = p + e            (Dekker's product, Veltkamp splitting)
        p + c = s + t,  t + e = v + eps,  s + v = r + err2     (Knuth's TwoSum)

    r is the correctly rounded result unless |err2 + eps| may reach half the gap
    to r's neighbour; those cases, and zero, tiny, huge or non-finite operands,
    are settled with exact rational arithmetic.
    """
    p = a * b
    if a == 0.0 or b == 0.0:
        return p + c                       # exact product 0: IEEE addition, signs of zero included
    if not (1e-280 < abs(p) < 1e290 and abs(a) < 1e290 and abs(b) < 1e290 and abs(c) < 1e300):
        return _fma_exact(a, b, c, p)
    h = _SPLIT * a
    a_hi = h - (h - a)
    a_lo = a - a_hi
    h = _SPLIT * b
    b_hi = h - (h - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    s = p + c
    h = s - p
    t = (p - (s - h)) + (c - h)
    v = t + e
    h = v - t
    eps = (t - (v - h)) + (e - h)
    r = s + v
    h = r - s
    err2 = (s - (r - h)) + (v - h)
    total = abs(err2) + abs(eps)
    if total == 0.0:
        return r
    gap = math.ulp(r)
    if total < 0.25 * gap:                 # within a quarter ulp: no neighbour is nearer, even below 2^k
        return r
    if abs(math.frexp(r)[0]) == 0.5:       # a power of two: the float below is only half an ulp away
        gap *= 0.5
    if total < 0.5 * gap * (1.0 - 2.0 ** -40):
        return r
    return _fma_exact(a, b, c, p)


def _fma_exact(a: float, b: float, c: float, p: float) -> float:
    """Exact rational a*b + c rounded to float (also zeros, tiny, huge and non-finite inputs)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return p + c
    if not math.isfinite(c):
        return c            # the exact product is finite even when a * b overflows
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        return p + c        # the sign of an exact zero follows IEEE addition
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def fma(a, b, c) -> np.ndarray:
    """``a * b + c`` with one rounding per element (broadcasting), as torch's ``c.add(b, alpha=a)``.

    In ``longdouble`` (64-bit significand on x86) W = RN(RN(a b) + c) is within
    E = u_L (|RN(a b)| + |W|) of the exact value (u_L its unit roundoff), so when W - E and W + E round to
    the same double r, r is the correctly rounded a b + c (rounding is monotonic).
    The few elements where that is not proven (about one in a thousand, more
    under cancellation; all of them where ``longdouble`` is plain double), zero
    results and non-finite ones are recomputed exactly by :func:`_fma_scalar`.
    """
    if np.size(c) >= _DEKKER_SIZE or np.size(b) >= _DEKKER_SIZE:
        return _fma_dekker(a, b, c)
    P = np.multiply(a, b, dtype=_LONG)
    W = np.add(P, c, dtype=_LONG)
    r = np.atleast_1d(W.astype(np.float64))
    E = np.abs(P)
    E += np.abs(W)
    E *= _LONG_UNIT
    ok = np.subtract(W, E).astype(np.float64) == r
    ok &= np.add(W, E).astype(np.float64) == r
    ok &= r != 0.0                          # E == 0 would prove a zero too, but its sign needs IEEE rules
    if not ok.all():
        a_b, b_b, c_b = (np.broadcast_to(v, r.shape) for v in (a, b, c))
        todo = np.nonzero(~ok)
        if todo[0].size > _SCALAR_FALLBACKS:
            fixed, proven = _fma_split(a_b[todo], b_b[todo], c_b[todo])
            r[tuple(i[proven] for i in todo)] = fixed[proven]
            todo = tuple(i[~proven] for i in todo)
        for i in zip(*todo):
            r[i] = _fma_scalar(float(a_b[i]), float(b_b[i]), float(c_b[i]))
    return r if np.ndim(W) else r[0]


_SCALAR_FALLBACKS = 4      # more unproven elements than this go through _fma_split first
# From this many elements on, float64 error-free transformations (SIMD) beat x87 longdouble arithmetic.
_DEKKER_SIZE = 256


def _fma_dekker(a, b, c) -> np.ndarray:
    """:func:`fma` for large arrays: :func:`_fma_scalar`'s error-free transformations, vectorized.

    a b + c = r + err2 + eps exactly; r is proven correctly rounded when
    |err2| + |eps| is below half the gap to r's nearer neighbour (with a margin);
    unproven elements (and zero, tiny or huge operands) go to :func:`_fma_scalar`.
    """
    a, b, c = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                                  np.asarray(c, dtype=np.float64))
    p = a * b
    h = _SPLIT * a
    a_hi = h - (h - a)
    a_lo = a - a_hi
    h = _SPLIT * b
    b_hi = h - (h - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    s = p + c
    h = s - p
    t = (p - (s - h)) + (c - h)
    v = t + e
    h = v - t
    eps = (t - (v - h)) + (e - h)
    r = s + v
    h = r - s
    err2 = (s - (r - h)) + (v - h)
    total = np.abs(err2)
    total += np.abs(eps)
    half_gap = np.spacing(np.abs(r))
    half_gap *= 0.25 * (1.0 - 2.0 ** -40)       # a quarter ulp: safe below a power of two as well
    ok = total < half_gap
    # between a quarter and half an ulp: fine unless r is a power of two (the float below is nearer)
    maybe = ~ok & (total < 2 * half_gap) & (np.frexp(np.abs(r))[0] != 0.5)
    ok |= maybe
    ok &= (np.abs(p) > 1e-280) & (np.abs(p) < 1e290) & (np.abs(a) < 1e290) & (np.abs(b) < 1e290) \
        & (np.abs(c) < 1e300)
    if not ok.all():
        for i in zip(*np.nonzero(~ok)):
            r[i] = _fma_scalar(float(a[i]), float(b[i]), float(c[i]))
    return r


def _fma_split(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fma` for the elements its first proof missed (mostly cancellation, a b ~ -c).

    Dekker's product gives a b = p + e exactly in float64; then S = p + c in
    ``longdouble`` is exact under cancellation (and within u_L |S| otherwise) and
    W = S + e is within E = u_L (|S| + |W|) of the exact value: the same proof as
    :func:`fma`, without the |a b| term. Returns ``(r, proven)``; the rest goes to
    :func:`_fma_scalar`.
    """
    p = a * b
    h = _SPLIT * a
    a_hi = h - (h - a)
    a_lo = a - a_hi
    h = _SPLIT * b
    b_hi = h - (h - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    S = np.add(p, c, dtype=_LONG)
    W = np.add(S, e, dtype=_LONG)
    r = W.astype(np.float64)
    E = np.abs(S)
    E += np.abs(W)
    E *= _LONG_UNIT
    proven = np.subtract(W, E).astype(np.float64) == r
    proven &= np.add(W, E).astype(np.float64) == r
    proven &= (r != 0.0) & np.isfinite(p) & (np.abs(p) > 1e-280) & (np.abs(a) < 1e290) & (np.abs(b) < 1e290)
    return r, proven


def _dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row-wise ``u . v`` of ``(R, 2)`` arrays, as torch's 2-element ``dot``: u0 v0 + u1 v1."""
    return u[:, 0] * v[:, 0] + u[:, 1] * v[:, 1]


def _max_abs(v: np.ndarray) -> np.ndarray:
    """Row-wise ``v.abs().max()`` of ``(R, 2)`` (NaN propagates)."""
    return np.maximum(np.abs(v[:, 0]), np.abs(v[:, 1]))


# ------------------------------------------------------------------ line search
# A step length in torch's line search is a Python number or a 0-dim tensor, and the
# two differ in one operation: torch computes ``number / tensor`` as
# ``reciprocal(tensor) * number``. Each step-length array here therefore comes with
# a boolean ``kind`` array (True: a tensor in torch's code). Python's min and max
# return one of their arguments, kind included: min(a, b) is b if b < a else a.
def _py_min(a, ka, b, kb):
    take = b < a
    return np.where(take, b, a), np.where(take, kb, ka)


def _py_max(a, ka, b, kb):
    take = b > a
    return np.where(take, b, a), np.where(take, kb, ka)


def cubic_interpolate(x1, k1, f1, g1, x2, k2, f2, g2, bounds=None):
    """Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to ``bounds``, per row.

    torch's ``_cubic_interpolate``: with d1 = g1 + g2 - 3 (f1 - f2)/(x1 - x2) and
    d2 = sqrt(d1^2 - g1 g2), the minimizer is
    x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2) (x2 the farther point); when
    d1^2 < g1 g2 the cubic has no minimizer and the midpoint of the bounds is used.

    Arrays ``(R,)``; ``k1``, ``k2`` are the kinds of x1, x2 (True: a torch tensor);
    ``bounds = (lo, k_lo, hi, k_hi)`` or None (then [min(x1, x2), max(x1, x2)]).
    Returns ``(t, kind)``.
    """
    if bounds is not None:
        lo, k_lo, hi, k_hi = bounds
    else:
        ordered = x1 <= x2
        lo, k_lo = np.where(ordered, x1, x2), np.where(ordered, k1, k2)
        hi, k_hi = np.where(ordered, x2, x1), np.where(ordered, k2, k1)
    span = x1 - x2
    three = 3 * (f1 - f2)
    secant = np.where(k1 | k2, (1.0 / span) * three, three / span)   # torch: number / tensor = 1/tensor * number
    d1 = g1 + g2 - secant
    d2_square = d1 * d1 - g1 * g2
    real = d2_square >= 0
    d2 = np.sqrt(np.where(real, d2_square, 0.0))
    forward = x1 <= x2
    min_pos = np.where(forward, x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)),
                       x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2)))
    # min(max(min_pos, lo), hi): min_pos is a tensor in torch (the slopes are)
    t, kind = _py_max(min_pos, np.ones_like(real), lo, k_lo)
    t, kind = _py_min(t, kind, hi, k_hi)
    middle = (lo + hi) / 2.0
    return np.where(real, t, middle), np.where(real, kind, k_lo | k_hi)


def strong_wolfe(evaluate, x, t, t_kind, d, f, g, gtd, max_ls, c1=1e-4, c2=0.9, tolerance_change=1e-9):
    """torch's ``_strong_wolfe`` for R rows at once: a step t along d with the strong Wolfe conditions

        f(x + t d) <= f(x) + c1 t g.d      (sufficient decrease)
        |g(x + t d).d| <= -c2 g.d          (curvature)

    First a bracketing phase (extrapolating by cubic interpolation within
    [t + 0.01 (t - t_prev), 10 t]), then a zoom phase that shrinks the bracket,
    each row until its own exit; ``max_ls`` ``(R,)`` caps each row's trials.
    ``evaluate(idx, point) -> (f, g)`` evaluates rows ``idx`` (indices into the R
    rows) at ``point`` ``(len(idx), 2)``. Returns ``(f_new, g_new, t, evaluations)``.
    """
    n = x.shape[0]
    every = np.arange(n)
    d_norm = _max_abs(d)
    t = np.array(t, dtype=np.float64)
    kt = np.array(t_kind, dtype=bool)
    f_new, g_new = evaluate(every, fma(t[:, None], d, x))
    gtd_new = _dot(g_new, d)
    ls_iter = np.zeros(n, dtype=np.int64)
    t_prev, k_prev = np.zeros(n), np.zeros(n, dtype=bool)     # torch: the int 0
    f_prev, g_prev, gtd_prev = f.copy(), g.copy(), gtd.copy()

    # the bracket: two points per row (or one, ``single``, when the first phase met the conditions)
    b = np.zeros((n, 2))
    bk = np.zeros((n, 2), dtype=bool)
    bf = np.zeros((n, 2))
    bg = np.zeros((n, 2, 2))
    bgtd = np.zeros((n, 2))
    single = np.zeros(n, dtype=bool)
    done = np.zeros(n, dtype=bool)

    def set_pair(rows, t0, k0, f0, g0, gtd0, t1, k1, f1, g1, gtd1):
        b[rows, 0], bk[rows, 0], bf[rows, 0], bg[rows, 0], bgtd[rows, 0] = t0, k0, f0, g0, gtd0
        b[rows, 1], bk[rows, 1], bf[rows, 1], bg[rows, 1], bgtd[rows, 1] = t1, k1, f1, g1, gtd1

    # ---- bracketing phase
    live = every
    while live.size:
        out = ls_iter[live] >= max_ls[live]                  # the loop ran out: bracket [0, t]
        if out.any():
            o = live[out]
            set_pair(o, 0.0, False, f[o], g[o], 0.0, t[o], kt[o], f_new[o], g_new[o], gtd_new[o])
            live = live[~out]
        fl, tl = f_new[live], t[live]
        armijo = (fl > f[live] + c1 * tl * gtd[live]) | ((ls_iter[live] > 1) & (fl >= f_prev[live]))
        curvature = ~armijo & (np.abs(gtd_new[live]) <= -c2 * gtd[live])
        rising = ~armijo & ~curvature & (gtd_new[live] >= 0)
        pair = live[armijo | rising]
        set_pair(pair, t_prev[pair], k_prev[pair], f_prev[pair], g_prev[pair], gtd_prev[pair],
                 t[pair], kt[pair], f_new[pair], g_new[pair], gtd_new[pair])
        one = live[curvature]
        b[one, 0], bk[one, 0], bf[one, 0], bg[one, 0] = t[one], kt[one], f_new[one], g_new[one]
        single[one] = done[one] = True
        live = live[~(armijo | curvature | rising)]
        if not live.size:
            break
        # interpolate within [t + 0.01 (t - t_prev), 10 t]
        tl, kl = t[live], kt[live]
        min_step, k_min = tl + 0.01 * (tl - t_prev[live]), kl | k_prev[live]
        max_step = tl * 10
        t_next, k_next = cubic_interpolate(t_prev[live], k_prev[live], f_prev[live], gtd_prev[live],
                                           tl, kl, f_new[live], gtd_new[live],
                                           bounds=(min_step, k_min, max_step, kl))
        t_prev[live], k_prev[live] = tl, kl
        f_prev[live], g_prev[live], gtd_prev[live] = f_new[live], g_new[live], gtd_new[live]
        t[live], kt[live] = t_next, k_next
        f_new[live], g_new[live] = evaluate(live, fma(t_next[:, None], d[live], x[live]))
        gtd_new[live] = _dot(g_new[live], d[live])
        ls_iter[live] += 1

    # ---- zoom phase: refine the bracket until a point satisfies the conditions
    insuf_progress = np.zeros(n, dtype=bool)
    low = np.where(bf[:, 0] <= np.where(single, bf[:, 0], bf[:, 1]), 0, 1)
    live = every[~done & (ls_iter < max_ls)]
    while live.size:
        b0, b1 = b[live, 0], b[live, 1]
        live = live[~(np.abs(b1 - b0) * d_norm[live] < tolerance_change)]      # the bracket is too small
        if not live.size:
            break
        b0, b1, k0, k1 = b[live, 0], b[live, 1], bk[live, 0], bk[live, 1]
        tz, kz = cubic_interpolate(b0, k0, bf[live, 0], bgtd[live, 0], b1, k1, bf[live, 1], bgtd[live, 1])
        b_max, k_max = _py_max(b0, k0, b1, k1)
        b_min, k_min = _py_min(b0, k0, b1, k1)
        eps = 0.1 * (b_max - b_min)
        to_max, to_min = b_max - tz, tz - b_min
        near = np.where(to_min < to_max, to_min, to_max) < eps     # Python's min(to_max, to_min) < eps
        # too close to an end of the bracket: move 0.1 * its length inside
        move = near & (insuf_progress[live] | (tz >= b_max) | (tz <= b_min))
        upper = np.abs(tz - b_max) < np.abs(tz - b_min)
        tz = np.where(move, np.where(upper, b_max - eps, b_min + eps), tz)
        kz = np.where(move, np.where(upper, k_max, k_min) | k0 | k1, kz)
        insuf_progress[live] = near & ~move

        fz, gz = evaluate(live, fma(tz[:, None], d[live], x[live]))
        gtdz = _dot(gz, d[live])
        ls_iter[live] += 1
        lo = low[live]
        hi = 1 - lo
        worse = (fz > f[live] + c1 * tz * gtd[live]) | (fz >= bf[live, lo])
        # Armijo fails or no lower than the lowest point: the new point replaces the high end
        w, hw = live[worse], hi[worse]
        b[w, hw], bk[w, hw], bf[w, hw], bg[w, hw], bgtd[w, hw] = tz[worse], kz[worse], fz[worse], gz[worse], \
            gtdz[worse]
        low[w] = np.where(bf[w, 0] <= bf[w, 1], 0, 1)
        better = ~worse
        wolfe = better & (np.abs(gtdz) <= -c2 * gtd[live])
        done[live[wolfe]] = True
        flip = better & ~wolfe & (gtdz * (b[live, hi] - b[live, lo]) >= 0)
        fr, lf, hf = live[flip], lo[flip], hi[flip]               # old low becomes the new high
        b[fr, hf], bk[fr, hf], bf[fr, hf], bg[fr, hf], bgtd[fr, hf] = \
            b[fr, lf], bk[fr, lf], bf[fr, lf], bg[fr, lf], bgtd[fr, lf]
        nb, lb = live[better], lo[better]                          # the new point becomes the low end
        b[nb, lb], bk[nb, lb], bf[nb, lb], bg[nb, lb], bgtd[nb, lb] = tz[better], kz[better], fz[better], \
            gz[better], gtdz[better]
        live = live[~done[live] & (ls_iter[live] < max_ls[live])]

    # torch raises IndexError for a one-point bracket with a NaN loss (low = 1); keep the trial point
    low[single] = 0
    return bf[every, low], bg[every, low], b[every, low], 1 + ls_iter


# ------------------------------------------------------------------ one step
def new_state(params: np.ndarray, capacity: int = 8) -> dict:
    """torch's per-optimizer state for N runs (torch keeps it on the first parameter), as arrays.

    The history of run i is ``old_stps`` / ``old_dirs`` / ``ro`` ``[i, :count[i]]``, newest
    first (torch's lists reversed: age 0 is torch's last entry); the arrays grow on
    demand, up to ``history_size`` pairs.
    """
    n = params.shape[0]
    return {
        "func_evals": np.zeros(n, dtype=np.int64), "n_iter": np.zeros(n, dtype=np.int64),
        "direction": np.zeros_like(params), "t": np.zeros(n), "H_diag": np.ones(n),
        "prev_flat_grad": np.zeros_like(params), "prev_loss": np.zeros(n),
        "old_stps": np.zeros((n, capacity, 2)), "old_dirs": np.zeros((n, capacity, 2)),
        "ro": np.zeros((n, capacity)), "count": np.zeros(n, dtype=np.int64),
    }


def _grow_history(state: dict, capacity: int) -> None:
    have = state["ro"].shape[1]
    if capacity <= have:
        return
    capacity = max(capacity, 2 * have)
    for key in ("old_stps", "old_dirs", "ro"):
        old = state[key]
        new = np.zeros((old.shape[0], capacity) + old.shape[2:])
        new[:, :have] = old
        state[key] = new


def _remember(state: dict, rows: np.ndarray, y: np.ndarray, s: np.ndarray, ys: np.ndarray,
              history_size: int) -> None:
    """Push (y, s, 1/ys) as the newest pair of ``rows``; a full history drops its oldest pair."""
    count = state["count"]
    depth = min(history_size, int(count[rows].max()) + 1)          # pairs kept after the push
    _grow_history(state, depth)
    for key, new in (("old_dirs", y), ("old_stps", s), ("ro", 1.0 / ys)):
        array = state[key]
        array[rows, 1:depth] = array[rows, :depth - 1]              # age every pair by one
        array[rows, 0] = new
    count[rows] = np.minimum(count[rows] + 1, history_size)


# With this few rows, NumPy's per-call cost dominates the sequential two-loop: the same recursion on
# Python floats (same operations, same order, every FMA correctly rounded) is several times faster.
_FEW_ROWS = 10


def _two_loop_on_floats(stps: list, dirs: list, ro: list, q0: float, q1: float, h: float) -> tuple:
    """The two-loop recursion of one row on Python floats, pairs newest first: returns r = -H g.

    ``q0, q1`` is q on entry (-g, or q after the newer pairs when :func:`_two_loop` hands
    over its deepest, narrow part); with ``h`` the result is what the arrays would give.
    """
    depth = len(ro)
    al = [0.0] * depth
    for k in range(depth):
        (s0, s1), (y0, y1) = stps[k], dirs[k]
        a = (s0 * q0 + s1 * q1) * ro[k]
        al[k] = a
        q0, q1 = _fma_scalar(-a, y0, q0), _fma_scalar(-a, y1, q1)
    r0, r1 = q0 * h, q1 * h
    for k in range(depth - 1, -1, -1):
        (s0, s1), (y0, y1) = stps[k], dirs[k]
        c = al[k] - (y0 * r0 + y1 * r1) * ro[k]
        r0, r1 = _fma_scalar(c, s0, r0), _fma_scalar(c, s1, r1)
    return r0, r1


def _two_loop_floats(state: dict, rows: np.ndarray, g: np.ndarray) -> np.ndarray:
    """:func:`_two_loop` for a few rows on Python floats: identical results, bit for bit."""
    d = np.empty((rows.size, 2))
    for j, row in enumerate(rows.tolist()):
        depth = int(state["count"][row])
        d[j] = _two_loop_on_floats(state["old_stps"][row, :depth].tolist(),      # newest first
                                   state["old_dirs"][row, :depth].tolist(), state["ro"][row, :depth].tolist(),
                                   -float(g[j, 0]), -float(g[j, 1]), float(state["H_diag"][row]))
    return d


# _axpy_rows's lean longdouble proof stays ahead of the SIMD float64 one up to about this many elements
_AXPY_DEKKER_SIZE = 2048


def _axpy_rows(a: np.ndarray, b: np.ndarray, c: np.ndarray, out: np.ndarray) -> None:
    """``out[:] = fma(a, b, c)`` for an ``(R, 1)`` column ``a`` and ``(R, 2)`` arrays: the inner step of
    :func:`_two_loop`, with :func:`fma`'s proof in as few NumPy calls as possible.

    W = RN_L(RN_L(a b) + c) is within E = u_L (|RN_L(a b)| + |W|) of the exact value; when
    RN(W - E) == RN(W + E) (and the result is not zero) that double is the correctly rounded
    a b + c, by monotonicity of rounding (then RN(W) is the same double). ``out`` may be ``c``.
    The unproven elements take :func:`fma`'s exact fallbacks (:func:`_fma_split`, :func:`_fma_scalar`).
    """
    if b.size >= _AXPY_DEKKER_SIZE:
        out[...] = _fma_dekker(a, b, c)
        return
    P = np.multiply(a, b, dtype=_LONG)
    W = np.add(P, c, dtype=_LONG)
    np.abs(P, out=P)
    P += np.abs(W)
    P *= _LONG_UNIT
    low = np.subtract(W, P).astype(np.float64)
    np.add(W, P, out=P)
    proven = P.astype(np.float64) == low
    if proven.all() and low.all():
        out[...] = low                   # RN(W), proven
        return
    rows, cols = np.nonzero(~proven | (low == 0.0))
    ta, tb, tc = a[rows, 0], b[rows, cols], c[rows, cols]     # before out (maybe c) is written
    out[...] = low
    if rows.size > _SCALAR_FALLBACKS:                         # fma's second proof, then the scalar one
        fixed, split_ok = _fma_split(ta, tb, tc)
        out[rows[split_ok], cols[split_ok]] = fixed[split_ok]
        rest = np.flatnonzero(~split_ok)
    else:
        rest = range(rows.size)
    for i in rest:
        out[rows[i], cols[i]] = _fma_scalar(float(ta[i]), float(tb[i]), float(tc[i]))


def _two_loop(state: dict, rows: np.ndarray, g: np.ndarray) -> np.ndarray:
    """d = -H g for ``rows`` by torch's two-loop recursion over each row's own history.

        q = -g;  newest to oldest pair i:  a_i = (s_i . q) / (y_i . s_i),  q <- q - a_i y_i
        r = H_diag q;  oldest to newest:  b_i = (y_i . r) / (y_i . s_i),  r <- r + (a_i - b_i) s_i

    Rows are sorted by history length (longest first), so the rows holding a
    pair of age k are a prefix and every pass works on array views; the pairs
    that at most ``_FEW_ROWS`` rows hold (the oldest pairs of the longest
    histories) are walked on Python floats by :func:`_two_loop_on_floats`
    (a NumPy call costs what a few rows on floats cost). The first loop keeps
    -a_i = (s_i . q) (-ro_i): the same bits, rounding being symmetric.
    """
    if rows.size <= _FEW_ROWS:
        return _two_loop_floats(state, rows, g)
    count = state["count"][rows]
    order = np.argsort(-count, kind="stable")
    sorted_rows, depth = rows[order], count[order]
    longest = int(depth[0]) if depth.size else 0
    widths = np.searchsorted(-depth, -np.arange(longest), side="left").tolist()   # rows with a pair of age k
    q = -g[order]
    if longest:
        w0 = widths[0]
        pick = sorted_rows[:w0]
        stps = state["old_stps"][pick, :longest].transpose(1, 0, 2).copy()      # (m, W, 2), newest first
        dirs = state["old_dirs"][pick, :longest].transpose(1, 0, 2).copy()
        ro = state["ro"][pick, :longest].T.copy()                               # (m, W)
        neg_ro = -ro
        neg_al = np.empty((longest, w0, 1))                                     # -a_i, as a column
        # the pairs held by at most _FEW_ROWS rows (the deepest ones) go to Python floats
        narrow = next((k for k, w in enumerate(widths) if w <= _FEW_ROWS), longest)
        for k in range(narrow):
            w = widths[k]
            qw = q[:w]
            prod = stps[k, :w] * qw
            a = neg_al[k, :w]
            np.add(prod[:, :1], prod[:, 1:], out=a)
            a *= neg_ro[k, :w, None]
            _axpy_rows(a, dirs[k, :w], qw, qw)
    h_diag = state["H_diag"][sorted_rows]
    r = q * h_diag[:, None]
    if longest:
        for j in range(widths[narrow] if narrow < longest else 0):
            dj = int(depth[j])
            r[j] = _two_loop_on_floats(stps[narrow:dj, j].tolist(), dirs[narrow:dj, j].tolist(),
                                       ro[narrow:dj, j].tolist(), float(q[j, 0]), float(q[j, 1]),
                                       float(h_diag[j]))
        al = np.negative(neg_al)
        for k in range(narrow - 1, -1, -1):
            w = widths[k]
            rw = r[:w]
            prod = dirs[k, :w] * rw
            be = np.add(prod[:, :1], prod[:, 1:])
            be *= ro[k, :w, None]
            _axpy_rows(np.subtract(al[k, :w], be, out=be), stps[k, :w], rw, rw)
    d = np.empty_like(r)
    d[order] = r
    return d


def lbfgs_step(state: dict, evaluate, x: np.ndarray, rows: np.ndarray, lr: np.ndarray, max_iter: int,
               max_eval: int, tolerance_grad: float, tolerance_change: float, history_size: int,
               line_search_fn: str | None) -> None:
    """One ``torch.optim.LBFGS.step(closure)`` for each of ``rows``, in place on ``x`` ``(R, 2)``.

    ``evaluate(idx, point) -> (loss, grad)`` evaluates ``rows[idx]`` at ``point``
    ``(len(idx), 2)`` (one closure call each). ``state`` (from :func:`new_state`,
    indexed by ``rows``) is updated in place. Up to ``max_iter`` iterations of

        d = -H_k g_k   (two-loop recursion over the last ``history_size`` pairs
                        s = t d, y = g_new - g_old, kept only when y.s > 1e-10;
                        H_0 = (y.s / y.y) I from the newest pair)
        x <- x + t d   (t = lr, or min(1, 1/|g|_1) lr on the very first
                        iteration; or the strong-Wolfe line search from there)

    each run stopping on its own at |g|_inf <= tolerance_grad, g.d > -tolerance_change,
    a step or loss change below tolerance_change, or ``max_eval`` evaluations.
    """
    n = rows.size
    loss, g = evaluate(np.arange(n), x)
    current_evals = np.ones(n, dtype=np.int64)
    state["func_evals"][rows] += 1
    live = np.flatnonzero(~(_max_abs(g) <= tolerance_grad))            # the others are optimal already

    n_iter = 0
    while live.size and n_iter < max_iter:
        n_iter += 1
        rl = rows[live]
        state["n_iter"][rl] += 1
        first = state["n_iter"][rl] == 1
        gl = g[live]

        # ---- descent direction
        d = np.empty((live.size, 2))
        d[first] = -gl[first]
        fresh = rl[first]
        state["count"][fresh] = 0
        state["H_diag"][fresh] = 1.0
        later = ~first
        if later.any():
            rr = rl[later]
            y = gl[later] - state["prev_flat_grad"][rr]
            s = state["direction"][rr] * state["t"][rr][:, None]
            ys = _dot(y, s)
            keep = ys > 1e-10
            if keep.any():
                yk, ysk = y[keep], ys[keep]
                _remember(state, rr[keep], yk, s[keep], ysk, history_size)
                state["H_diag"][rr[keep]] = ysk / _dot(yk, yk)
            d[later] = _two_loop(state, rr, gl[later])
        state["prev_flat_grad"][rl] = gl
        state["prev_loss"][rl] = loss[live]

        # ---- step length: min(1, 1/|g|_1) * lr on the very first iteration (a tensor when 1/|g|_1 < 1)
        inverse = 1.0 / (np.abs(gl[:, 0]) + np.abs(gl[:, 1]))
        t_first = inverse < 1.0
        t = np.where(first, np.where(t_first, inverse, 1.0) * lr[live], lr[live])
        t_kind = first & t_first
        state["direction"][rl] = d
        state["t"][rl] = t
        gtd = _dot(gl, d)
        going = ~(gtd > -tolerance_change)
        live, d, t, t_kind, gtd, rl = live[going], d[going], t[going], t_kind[going], gtd[going], rl[going]
        if not live.size:
            break

        # ---- move
        if line_search_fn == "strong_wolfe":
            # torch passes neither tolerance_change nor c1, c2: the defaults apply
            f_new, g_new, t, ls_evals = strong_wolfe(
                lambda idx, point: evaluate(live[idx], point), x[live], t, t_kind, d, loss[live], g[live], gtd,
                max_ls=max_eval - current_evals[live])
            state["t"][rl] = t
            x[live] = fma(t[:, None], d, x[live])
            loss[live], g[live] = f_new, g_new
            opt_cond = _max_abs(g_new) <= tolerance_grad
        else:
            x[live] = fma(t[:, None], d, x[live])
            if n_iter == max_iter:
                break                              # torch skips this evaluation on the last iteration
            loss[live], g[live] = evaluate(live, x[live])
            opt_cond = _max_abs(g[live]) <= tolerance_grad
            ls_evals = 1
        current_evals[live] += ls_evals
        state["func_evals"][rl] += ls_evals

        # ---- stopping conditions
        if n_iter == max_iter:
            break
        stop = (current_evals[live] >= max_eval) | opt_cond
        stop |= _max_abs(d * t[:, None]) <= tolerance_change
        stop |= np.abs(loss[live] - state["prev_loss"][rl]) < tolerance_change
        live = live[~stop]


# ------------------------------------------------------------------ optimizer
@register
class LBFGS(Optimizer):
    r"""torch.optim.LBFGS: limited-memory BFGS, optionally with a strong-Wolfe line search.

    One call of :meth:`step` is one ``LBFGS.step(closure)`` per active run: up
    to ``max_iter`` inner iterations (and up to ``max_eval`` loss+gradient
    evaluations). With ``max_iter=1`` every recorded point is one iteration.
    The direction is d = -H g, where H approximates the inverse Hessian from
    the last ``history_size`` steps and gradient changes (two-loop recursion).

    Differences from the textbook: the very first step is scaled to
    t = min(1, 1/|g|_1) * lr; without a line search every later step is exactly
    t = lr; the line search ignores ``tolerance_change`` (torch passes its own
    default 1e-9). The scheduled learning rate replaces torch's group ``lr``.
    """

    name = "lbfgs"
    label = "L-BFGS"
    torch_name = "LBFGS"
    # Cost of one step of one run relative to one Adam step of one run, in the same batch: measured by
    # benchmarks/lbfgs.py (the "cost ... vs adam" rows: 100 x 100 starts x 50 steps, final_positions) on
    # Rosenbrock and Himmelblau, with and without strong_wolfe. The figures span 123x (Himmelblau, line
    # search) to 2190x (Rosenbrock, torch's defaults: a few runs iterate max_iter=20 times every step
    # with a full 100-pair history); this is the worst case, rounded up. Steps of converged runs are cheap.
    step_cost = 2300
    schema = (
        lr_param(1.0, "learning rate: the step length t along the L-BFGS direction "
                      "(the line search's first trial step)"),
        Param("max_iter", 20, "maximal number of L-BFGS iterations per optimizer step",
              kind="int", low=1, high=10_000, per_run=False, slider_low=1, slider_high=50),
        Param("max_eval", None, "maximal number of loss+gradient evaluations per step "
              "(None: max_iter * 5 // 4)", kind="int", low=1, high=100_000, per_run=False),
        Param("tolerance_grad", 1e-7, "stop when the largest gradient component is at most this",
              low=0.0, scale="log", per_run=False, slider_low=1e-12, slider_high=1e-1),
        Param("tolerance_change", 1e-9, "stop when a step, or the change in loss, is below this",
              low=0.0, scale="log", per_run=False, slider_low=1e-14, slider_high=1e-2),
        Param("history_size", 100, "number of (step, gradient change) pairs remembered",
              kind="int", low=1, high=1000, per_run=False, slider_low=1, slider_high=20),
        Param("line_search_fn", None, "None: fixed step t = lr; 'strong_wolfe': line search "
              "satisfying the strong Wolfe conditions", kind="choice", choices=(None, "strong_wolfe"),
              per_run=False),
    )
    rule = (r"d_k = -H_k \nabla f(x_k),\quad x_{k+1} = x_k + t_k d_k,\quad "
            r"H_k \approx \nabla^2 f^{-1} \text{ from the last } m \text{ pairs } (s_i, y_i)")
    state_keys = ("direction",)

    def __init__(self, **hyper) -> None:
        if "max_eval" in hyper and hyper["max_eval"] is None:   # torch's "default" spelled out
            hyper = {k: v for k, v in hyper.items() if k != "max_eval"}
        super().__init__(**hyper)

    @property
    def max_eval(self) -> int:
        """The evaluation budget per step: ``max_eval`` or torch's default ``max_iter * 5 // 4``."""
        given = self.hyper["max_eval"]
        return self.hyper["max_iter"] * 5 // 4 if given is None else given

    def init(self, params):
        return new_state(params)

    def step(self, params, state, objective, lr, active) -> None:
        rows = np.flatnonzero(active)
        if not rows.size:
            return
        h = self.hyper
        lr_rows = np.broadcast_to(np.asarray(lr, dtype=np.float64).reshape(-1), (params.shape[0],))[rows]
        x = params[rows]

        def evaluate(idx, point):
            return objective.value_and_grad_rows(rows[idx], point)

        lbfgs_step(state, evaluate, x, rows, lr_rows, h["max_iter"], self.max_eval, h["tolerance_grad"],
                   h["tolerance_change"], h["history_size"], h["line_search_fn"])
        params[rows] = x
