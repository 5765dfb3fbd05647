"""Muon (torch.optim.Muon): momentum, then Newton–Schulz orthogonalization of the update, in bfloat16."""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.bfloat16 import round_in_place
from optimizers.common import WEIGHT_DECAY, eps_param, lr_param, recorded_rate
from optimizers.fast import lerp_

__all__ = ["Muon", "newton_schulz"]

# torch's matrix shape for one point: a 1 x 2 matrix (A rows, B columns)
ROWS, COLUMNS = 1, 2


def _float32(value):
    return np.asarray(value, dtype=np.float32)


def newton_schulz(update: np.ndarray, a, b, c, steps: int, eps) -> np.ndarray:
    r"""torch's ``_zeropower_via_newtonschulz`` on each row of ``(N, 2)`` (a 1 x 2 matrix per run), in bfloat16.

    X = bf16(G) / max(|X|_F, eps); then ``steps`` times:
    S = X X^T (1 x 1), X <- a X + (b S + c S^2) X. Every operation rounds to
    bfloat16 after computing in float32, as torch's CPU kernels do, so the
    result equals torch's bit for bit. Returns float64 holding bfloat16 values.
    ``a``, ``b``, ``c``, ``eps`` are floats or ``(N, 1)`` per-run columns.

    For one row, S = |X|^2 is a number, so each iteration only rescales the
    row: X keeps the direction of G and its norm s follows s <- a s + b s^3 +
    c s^5 from s = 1. With torch's coefficients that oscillates
    (1, 0.70, 1.11, 0.72, 1.09, 0.70): five steps give about 0.70 G / |G|,
    whatever |G| is.

    Written with in-place ufuncs on preallocated float32 arrays and their
    uint32 views (about 25 ufunc calls per iteration), because for one run
    NumPy's per-call cost is the whole cost.
    """
    with np.errstate(all="ignore"):                                         # inf and NaN rows stay inf and NaN
        return _newton_schulz(update, a, b, c, steps, eps)


def _newton_schulz(update, a, b, c, steps, eps):
    n = update.shape[0]
    x = update.astype(np.float32)                                      # (N, 2): float64 -> float32 -> bfloat16
    x0, x1 = x[:, :1], x[:, 1:]                                        # column views, made once
    bits, scratch = x.view(np.uint32), np.empty(x.shape, dtype=np.uint32)
    round_in_place(bits, scratch)
    gram = np.empty((n, 1), dtype=np.float32)                          # (N, 1): |X|, then S = X X^T
    gram_bits, column_scratch = gram.view(np.uint32), np.empty((n, 1), dtype=np.uint32)
    column = np.empty((n, 1), dtype=np.float32)
    np.multiply(x0, x0, out=gram)
    np.multiply(x1, x1, out=column)
    gram += column
    np.sqrt(gram, out=gram)
    round_in_place(gram_bits, column_scratch)                          # norm()
    np.maximum(gram, _float32(eps), out=gram)
    round_in_place(gram_bits, column_scratch)                          # clamp(min=eps)
    x /= gram
    round_in_place(bits, scratch)                                      # div_
    a32, b32, c32 = _float32(a), _float32(b), _float32(c)
    gram_update = np.empty((n, 1), dtype=np.float32)
    update_bits = gram_update.view(np.uint32)
    product = np.empty_like(x)
    for _ in range(steps):
        np.multiply(x0, x0, out=gram)
        np.multiply(x1, x1, out=column)
        gram += column
        round_in_place(gram_bits, column_scratch)                      # X @ X.T
        np.multiply(gram, gram, out=gram_update)
        gram_update *= c32
        np.multiply(gram, b32, out=column)
        gram_update += column
        round_in_place(update_bits, column_scratch)                    # addmm(S, S, S, beta=b, alpha=c)
        np.multiply(gram_update, x, out=product)
        x *= a32
        x += product
        round_in_place(bits, scratch)                                  # addmm(X, S', X, beta=a)
    return x.astype(np.float64)


def _lr_ratio(adjust_lr_fn) -> float:
    """torch's ``_adjust_lr`` factor for a ROWS x COLUMNS matrix."""
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return math.sqrt(max(1, ROWS / COLUMNS))
    return 0.2 * math.sqrt(max(ROWS, COLUMNS))          # "match_rms_adamw"


@register
class Muon(FirstOrder):
    r"""torch.optim.Muon (Jordan et al. 2024), on the point as a 1 x 2 matrix.

    With g_t = grad f(x_t) and B_0 = 0 (torch's code: a lerp, i.e. an EMA):

        B_t     = momentum B_{t-1} + (1 - momentum) g_t
        U_t     = (1 - momentum) g_t + momentum B_t   (nesterov)   or   B_t
        O_t     = NS(U_t)                              (Newton–Schulz, 5 steps, bfloat16)
        x_{t+1} = (1 - lr weight_decay) x_t - lr' O_t  (lr' = lr * sqrt(max(1, rows/cols)) = lr here)

    torch's Muon only takes 2-D parameters, so a point is a 1 x 2 matrix. What
    Newton–Schulz does to one row: it orthogonalizes, i.e. pushes every
    singular value towards 1, and a single row has one singular value, its
    norm. So O_t is U_t / |U_t| times a number near 0.7 (see
    :func:`newton_schulz`): the step has length about 0.7 lr in the direction
    of the momentum, however large or small the gradient is. On a 2-D
    surface Muon is normalized gradient descent with momentum: it never slows
    down near a minimum, so it ends up circling the minimum at a radius of
    about lr unless a schedule lowers the rate.

    Weight decay is decoupled (as AdamW) and its default is 0.1, not 0: the
    point is pulled towards the origin by lr * 0.1 * x each step, which moves
    the minimum Muon settles at. ``adjust_lr_fn`` "original" (or None) scales
    lr by sqrt(max(1, 1/2)) = 1; "match_rms_adamw" by 0.2 sqrt(max(1, 2)).

    torch runs Newton–Schulz in bfloat16 (8 significand bits). It is
    reproduced here bit for bit with float32 arithmetic rounded to bfloat16
    (:mod:`optimizers.bfloat16`): without that rounding each step would
    differ from torch's by up to about 2^-8 relative. torch's
    ``ns_coefficients=(a, b, c)`` is accepted as in torch.
    """

    name = "muon"
    label = "Muon"
    torch_name = "Muon"
    torch_tuples = {"ns_coefficients": ("ns_a", "ns_b", "ns_c")}
    schema = (
        lr_param(1e-3),
        replace(WEIGHT_DECAY, default=0.1, help="decoupled weight decay: x shrinks by lr * weight_decay * x "
                                                  "each step (torch's default 0.1)"),
        Param("momentum", 0.95, "momentum factor of the buffer (an exponential moving average of gradients)",
              low=0.0, high=1.0, slider_low=0.0, slider_high=0.999),
        Param("nesterov", True, "Nesterov momentum: orthogonalize (1 - momentum) g + momentum B instead of B",
              kind="bool", per_run=False),
        Param("ns_a", 3.4445, "Newton–Schulz coefficient a (torch's ns_coefficients[0])",
              slider_low=0.0, slider_high=5.0),
        Param("ns_b", -4.775, "Newton–Schulz coefficient b (torch's ns_coefficients[1])",
              slider_low=-8.0, slider_high=0.0),
        Param("ns_c", 2.0315, "Newton–Schulz coefficient c (torch's ns_coefficients[2])",
              slider_low=0.0, slider_high=5.0),
        eps_param(1e-7, "floor of the norm the update is divided by before Newton–Schulz"),
        Param("ns_steps", 5, "number of Newton–Schulz iterations", kind="int", low=0, high=99, per_run=False,
              slider_low=0, slider_high=10),
        Param("adjust_lr_fn", None, "learning-rate adjustment for the matrix shape: None or 'original' "
              "(x1 for a 1 x 2 matrix), 'match_rms_adamw' (x0.2 sqrt 2)", kind="choice",
              choices=(None, "original", "match_rms_adamw"), per_run=False),
    )
    rule = (r"B_t = \mu B_{t-1} + (1-\mu) g_t,\ "
            r"O_t = \mathrm{NS}_5\big((1-\mu) g_t + \mu B_t\big) \approx 0.7\, \frac{B'_t}{\lVert B'_t \rVert},\ "
            r"x_{t+1} = (1 - \alpha\lambda)\, x_t - \alpha\, O_t")
    state_keys = ("momentum_buffer", "effective_rate")

    def init(self, params):
        return {
            "step": 0,
            "momentum_buffer": np.zeros_like(params),   # (N, 2) B
            "effective_rate": np.zeros_like(params),    # (N, 2) lr' |O| / |U| of the last step (both columns)
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        momentum = h["momentum"]
        state["step"] += 1
        buf = state["momentum_buffer"]
        lerp_(buf, grad, 1 - momentum)
        direction = lerp_(grad, buf, momentum) if h["nesterov"] else buf   # grad.lerp(buf, momentum)
        ortho = newton_schulz(direction, h["ns_a"], h["ns_b"], h["ns_c"], h["ns_steps"], h["eps"])
        adjusted_lr = lr * _lr_ratio(h["adjust_lr_fn"])
        # |O| / |U| (0/0 for a zero gradient is NaN; the loop records NaN as 0)
        state["effective_rate"][...] = adjusted_lr * np.hypot(ortho[:, :1], ortho[:, 1:]) \
            / np.hypot(direction[:, :1], direction[:, 1:])
        params *= 1 - lr * h["weight_decay"]
        ortho *= -adjusted_lr                          # add_(update, alpha=-adjusted_lr)
        params += ortho

    def effective_lr(self, state, lr, step):
        """``lr' |O_t| / |U_t|``: the rate applied to the (Nesterov) momentum direction, the same on both axes."""
        return recorded_rate(state["effective_rate"])
