"""BENCHMARK PEER ONLY, not part of the package: the row-by-row L-BFGS that optimizers/lbfgs.py replaced.

A frozen copy of optimizers/lbfgs.py as of commit e1f923d (before vectorization), kept so that
benchmarks/lbfgs.py can time today's vectorized L-BFGS against it (and check that both compute the
same paths). Its class is not registered: ``RowLBFGS(**hyper)`` builds it directly.

L-BFGS (torch.optim.LBFGS), one run at a time on 2-vectors of Python floats.

torch's L-BFGS is a loop with data-dependent branches (tolerance checks, a
line search that brackets and zooms), so rows cannot step in lock-step. Each
active row is advanced by :func:`lbfgs_step`, a line-by-line port of
``LBFGS.step`` with its own state; rows never interact, so a batch still equals
separate runs bit for bit.

A 2-vector is a tuple ``(x, y)`` of Python floats: on two numbers, plain float
arithmetic is several times faster than NumPy and rounds the same way as
torch's float64 kernels, with two exceptions reproduced on purpose: torch's
``a.add_(b, alpha=c)`` computes ``fma(c, b, a)`` (one rounding), which
:func:`_axpy` reproduces exactly, and ``number / tensor`` is
``reciprocal(tensor) * number`` (see :class:`_Tensor0`).

One difference remains: torch's float64 ``sqrt`` (MKL's vector math) is not
correctly rounded (errors up to about 0.52 ulp), and the strong-Wolfe line
search takes one square root per cubic interpolation. Paths are therefore
usually bit-identical to torch's and otherwise agree to about 1e-15, except
where a line search extrapolating on an unbounded surface amplifies a
last-bit difference.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from landscapes.schema import Param
from optimizers.base import Optimizer
from optimizers.common import lr_param

__all__ = ["RowLBFGS", "lbfgs_step", "cubic_interpolate", "strong_wolfe"]

# ------------------------------------------------------------------ 2-vectors
_SPLIT = 134217729.0   # 2^27 + 1, Veltkamp's splitter for float64


def _fma(a: float, b: float, c: float) -> float:
    """``a * b + c`` rounded once, as the FMA instruction behind torch's ``add_(alpha=)``.

    Python 3.11 has no ``math.fma``. Error-free transformations (inlined here
    for speed; this is the inner loop of the two-loop recursion) give
    a*b + c = r + err2 + eps exactly, r being the float nearest s + v:

        a*b = p + e            (Dekker's product, Veltkamp splitting)
        p + c = s + t,  t + e = v + eps,  s + v = r + err2     (Knuth's TwoSum)

    r is the correctly rounded result unless |err2 + eps| may reach half the
    gap to r's neighbour (the exact value sits on a rounding midpoint); those
    rare cases, and zero, tiny, huge or non-finite operands, are settled with
    exact rational arithmetic.
    """
    p = a * b
    if a == 0.0 or b == 0.0:
        return p + c                       # exact product 0: IEEE addition, signs of zero included
    if not (1e-280 < abs(p) < 1e290 and abs(a) < 1e290 and abs(b) < 1e290 and abs(c) < 1e300):
        return _fma_exact(a, b, c, p)
    # Dekker: e = a*b - p exactly
    h = _SPLIT * a
    a_hi = h - (h - a)
    a_lo = a - a_hi
    h = _SPLIT * b
    b_hi = h - (h - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    # TwoSum p + c = s + t
    s = p + c
    h = s - p
    t = (p - (s - h)) + (c - h)
    # TwoSum t + e = v + eps
    v = t + e
    h = v - t
    eps = (t - (v - h)) + (e - h)
    # TwoSum s + v = r + err2
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
    """The slow, exact path of :func:`_fma` (also zeros, tiny, huge and non-finite inputs)."""
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


def _axpy(x: tuple, alpha: float, y: tuple) -> tuple:
    """torch's ``x.add(y, alpha=alpha)``: ``x + alpha * y`` with one rounding per element."""
    alpha = float(alpha)
    return (_fma(alpha, y[0], x[0]), _fma(alpha, y[1], x[1]))


def _dot(u: tuple, v: tuple) -> float:
    return u[0] * v[0] + u[1] * v[1]


def _scale(v: tuple, c: float) -> tuple:
    c = float(c)
    return (v[0] * c, v[1] * c)


def _neg(v: tuple) -> tuple:
    return (-v[0], -v[1])


def _sub(u: tuple, v: tuple) -> tuple:
    return (u[0] - v[0], u[1] - v[1])


def _max_abs(v: tuple) -> float:
    """torch's ``v.abs().max()`` (NaN propagates)."""
    a, b = abs(v[0]), abs(v[1])
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


def _divide(a: float, b: float) -> float:
    """IEEE division (inf or NaN on a zero divisor), as a float64 tensor divides."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


# ------------------------------------------------------------- line search
class _Tensor0(float):
    """A step length that is a 0-dim float64 tensor in torch's code (not a Python float).

    torch's step lengths start as a tensor when the first step is
    min(1, 1/|g|_1) * lr and the minimum is the tensor, and become one when
    cubic interpolation (on tensor slopes) picks them. Arithmetic on them is
    IEEE either way, except one operation: torch computes ``number / tensor``
    as ``reciprocal(tensor) * number`` (two roundings). This class carries the
    "is a tensor" mark through the line search's arithmetic so that division
    is reproduced where torch does it (:func:`cubic_interpolate`).
    """

    __slots__ = ()

    def __add__(self, other):
        return _Tensor0(float(self) + other) if isinstance(other, (float, int)) else NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        return _Tensor0(float(self) - other) if isinstance(other, (float, int)) else NotImplemented

    def __rsub__(self, other):
        return _Tensor0(other - float(self)) if isinstance(other, (float, int)) else NotImplemented

    def __mul__(self, other):
        return _Tensor0(float(self) * other) if isinstance(other, (float, int)) else NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other):
        if not isinstance(other, (float, int)):
            return NotImplemented
        return _Tensor0(_divide(float(self), float(other)))

    def __rtruediv__(self, other):
        if not isinstance(other, (float, int)):
            return NotImplemented
        return _Tensor0(_divide(1.0, float(self)) * other)

    def __neg__(self):
        return _Tensor0(-float(self))

    def __abs__(self):
        return _Tensor0(abs(float(self)))


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None) -> float:
    """Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to ``bounds``.

    torch's ``_cubic_interpolate``: with d1 = g1 + g2 - 3 (f1 - f2)/(x1 - x2) and
    d2 = sqrt(d1^2 - g1 g2), the minimizer is
    x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2) (x2 the farther point); when
    d1^2 < g1 g2 the cubic has no minimizer and the midpoint of the bounds is used.
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    span = x1 - x2
    if isinstance(span, _Tensor0):      # torch: number / tensor = reciprocal(tensor) * number
        secant = _divide(1.0, float(span)) * (3 * (f1 - f2))
    else:
        secant = _divide(3 * (f1 - f2), span)
    x1, x2, g1, g2 = float(x1), float(x2), float(g1), float(g2)
    d1 = g1 + g2 - secant
    d2_square = d1 * d1 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * _divide(g2 + d2 - d1, g2 - g1 + 2 * d2)
        else:
            min_pos = x1 - (x1 - x2) * _divide(g1 + d2 - d1, g1 - g2 + 2 * d2)
        # a tensor in torch (the slopes are); the bounds keep their own kind
        return min(max(_Tensor0(min_pos), xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """torch's ``_strong_wolfe``: a step t along d with the strong Wolfe conditions

        f(x + t d) <= f(x) + c1 t g.d      (sufficient decrease)
        |g(x + t d).d| <= -c2 g.d          (curvature)

    First a bracketing phase (extrapolating by cubic interpolation within
    [t + 0.01 (t - t_prev), 10 t]), then a zoom phase that shrinks the bracket.
    ``obj_func(x, t, d) -> (f, g)``. Returns ``(f_new, g_new, t, evaluations)``.
    """
    d_norm = _max_abs(d)
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = _dot(g_new, d)

    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # interpolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1

    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: refine the bracket until a point satisfies the conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1])
        # too close to an end of the bracket: move 0.1 * its length inside
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # Armijo condition fails or no lower than the lowest point
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # old high becomes new low
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new

    if len(bracket) == 1:
        # torch raises IndexError here when the loss is NaN (low_pos = 1); keep the trial point
        low_pos = 0
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


# ------------------------------------------------------------- one step
def new_row_state() -> dict:
    """torch's per-optimizer state for one run (it keeps it on the first parameter)."""
    return {"func_evals": 0, "n_iter": 0, "d": None, "t": None, "old_dirs": None, "old_stps": None,
            "ro": None, "H_diag": None, "prev_flat_grad": None, "prev_loss": None}


def lbfgs_step(state: dict, closure, x: tuple, lr: float, max_iter: int, max_eval: int,
               tolerance_grad: float, tolerance_change: float, history_size: int,
               line_search_fn: str | None) -> tuple:
    """One ``torch.optim.LBFGS.step(closure)`` for one run; returns the new point.

    ``closure(point) -> (loss, grad)`` evaluates the objective at a 2-tuple.
    ``state`` (from :func:`new_row_state`) is updated in place. Up to
    ``max_iter`` iterations of

        d = -H_k g_k   (two-loop recursion over the last ``history_size`` pairs
                        s = t d, y = g_new - g_old, kept only when y.s > 1e-10;
                        H_0 = (y.s / y.y) I from the newest pair)
        x <- x + t d   (t = lr, or min(1, 1/|g|_1) lr on the very first
                        iteration; or the strong-Wolfe line search from there)

    stopping on |g|_inf <= tolerance_grad, g.d > -tolerance_change, a step or
    loss change below tolerance_change, or ``max_eval`` evaluations.
    """
    loss, flat_grad = closure(x)
    current_evals = 1
    state["func_evals"] += 1
    if _max_abs(flat_grad) <= tolerance_grad:
        return x

    d, t = state["d"], state["t"]
    old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
    H_diag, prev_flat_grad, prev_loss = state["H_diag"], state["prev_flat_grad"], state["prev_loss"]

    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        state["n_iter"] += 1

        # ---- descent direction
        if state["n_iter"] == 1:
            d = _neg(flat_grad)
            old_dirs, old_stps, ro = [], [], []
            H_diag = 1
        else:
            y = _sub(flat_grad, prev_flat_grad)
            s = _scale(d, t)
            ys = _dot(y, s)
            if ys > 1e-10:
                if len(old_dirs) == history_size:
                    old_dirs.pop(0)
                    old_stps.pop(0)
                    ro.pop(0)
                old_dirs.append(y)
                old_stps.append(s)
                ro.append(1.0 / ys)
                H_diag = ys / _dot(y, y)
            num_old = len(old_dirs)
            al = [0.0] * num_old
            q = _neg(flat_grad)
            for i in range(num_old - 1, -1, -1):
                al[i] = _dot(old_stps[i], q) * ro[i]
                q = _axpy(q, -al[i], old_dirs[i])
            r = _scale(q, H_diag)
            for i in range(num_old):
                be_i = _dot(old_dirs[i], r) * ro[i]
                r = _axpy(r, al[i] - be_i, old_stps[i])
            d = r

        prev_flat_grad = flat_grad
        prev_loss = loss

        # ---- step length
        if state["n_iter"] == 1:
            t = min(1.0, _Tensor0(_divide(1.0, abs(flat_grad[0]) + abs(flat_grad[1])))) * lr
        else:
            t = lr
        gtd = _dot(flat_grad, d)
        if gtd > -tolerance_change:
            break

        ls_func_evals = 0
        if line_search_fn == "strong_wolfe":
            start = x

            def obj_func(x0, step, direction):
                return closure(_axpy(x0, step, direction))

            # torch passes neither tolerance_change nor c1, c2: the defaults apply
            loss, flat_grad, t, ls_func_evals = strong_wolfe(
                obj_func, start, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
            x = _axpy(x, t, d)
            opt_cond = _max_abs(flat_grad) <= tolerance_grad
        else:
            x = _axpy(x, t, d)
            if n_iter != max_iter:
                # torch skips this evaluation on the last iteration
                loss, flat_grad = closure(x)
                opt_cond = _max_abs(flat_grad) <= tolerance_grad
                ls_func_evals = 1

        current_evals += ls_func_evals
        state["func_evals"] += ls_func_evals

        # ---- stopping conditions
        if n_iter == max_iter:
            break
        if current_evals >= max_eval:
            break
        if opt_cond:
            break
        if _max_abs(_scale(d, t)) <= tolerance_change:
            break
        if abs(loss - prev_loss) < tolerance_change:
            break

    state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                 prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
    return x


# ------------------------------------------------------------- optimizer
class RowLBFGS(Optimizer):
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

    name = "lbfgs"          # same hyperparameters and name as the package's LBFGS, never registered
    label = "L-BFGS (row loop)"
    torch_name = "LBFGS"
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
        n_runs = params.shape[0]
        return {
            "rows": [new_row_state() for _ in range(n_runs)],
            "direction": np.zeros_like(params),     # (N, 2) last search direction d
        }

    def step(self, params, state, objective, lr, active) -> None:
        h = self.hyper
        lr_rows = np.broadcast_to(np.asarray(lr, dtype=np.float64).reshape(-1), (params.shape[0],))
        for row in np.flatnonzero(active):
            row = int(row)

            def closure(point, row=row):
                loss, grad = objective.value_and_grad_row(row, point)
                return loss, (float(grad[0]), float(grad[1]))

            row_state = state["rows"][row]
            x = lbfgs_step(row_state, closure, (float(params[row, 0]), float(params[row, 1])),
                           float(lr_rows[row]), h["max_iter"], self.max_eval, h["tolerance_grad"],
                           h["tolerance_change"], h["history_size"], h["line_search_fn"])
            params[row] = x
            if row_state["d"] is not None:
                state["direction"][row] = row_state["d"]
