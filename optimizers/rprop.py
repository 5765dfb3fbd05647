"""Resilient backpropagation (torch.optim.Rprop): per-coordinate step sizes driven by the gradient's sign."""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import MAXIMIZE, lr_param, negate_if, recorded_rate

__all__ = ["Rprop"]


@register
class Rprop(FirstOrder):
    r"""torch.optim.Rprop (Riedmiller & Braun 1993), the variant without weight backtracking.

    Each coordinate i has its own step size s_i, starting at ``lr``. With
    g_t = grad f(x_t) and the previous (possibly zeroed) gradient g_{t-1}:

        g_t,i g_{t-1},i > 0:  s_i <- min(s_i * etaplus,  step_size_max)
        g_t,i g_{t-1},i < 0:  s_i <- max(s_i * etaminus, step_size_min);  g_t,i <- 0
        otherwise:            s_i unchanged
        x_{t+1} = x_t - sign(g_t) * s       (a zeroed coordinate does not move)

    Only the gradient's sign is used, never its size: each coordinate grows its
    step while the sign holds and halves it (etaminus = 0.5) when the sign
    flips, i.e. when the last step jumped over a minimum along that axis. After
    a flip the coordinate rests one step (its gradient is stored as 0), so the
    next step counts as "no sign information" and keeps the reduced size.

    ``lr`` is only the initial step size: as in torch, a schedule changes Rprop
    only through the rate of the first step. torch's ``etas=(etaminus,
    etaplus)`` and ``step_sizes=(step_size_min, step_size_max)`` are accepted
    as in torch. No weight decay (torch's Rprop has none). Made for full-batch
    gradients: under gradient noise the signs flip at random and the steps shrink.
    """

    name = "rprop"
    label = "Rprop"
    torch_name = "Rprop"
    torch_tuples = {"etas": ("etaminus", "etaplus"), "step_sizes": ("step_size_min", "step_size_max")}
    schema = (
        lr_param(1e-2, "initial step size of every coordinate (later steps adapt it)"),
        Param("etaminus", 0.5, "factor applied to a coordinate's step size when its gradient changes sign",
              low=0.0, high=1.0, low_open=True, high_open=True, slider_low=0.05, slider_high=0.95),
        Param("etaplus", 1.2, "factor applied to a coordinate's step size while its gradient keeps its sign",
              low=1.0, low_open=True, slider_low=1.01, slider_high=3.0),
        Param("step_size_min", 1e-6, "smallest step size", low=0.0, scale="log",
              slider_low=1e-9, slider_high=1e-2),
        Param("step_size_max", 50.0, "largest step size", low=0.0, scale="log", slider_low=1e-2, slider_high=100.0),
        MAXIMIZE,
    )
    rule = (r"\eta_{t,i} = \eta^{+} \text{ if } g_{t,i}\, g_{t-1,i} > 0 \text{; } \eta^{-} \text{ if } < 0 "
            r"\text{; else } 1,\quad s_t = \mathrm{clip}\big(\eta_t \odot s_{t-1},\ s_{\min},\ s_{\max}\big),\quad "
            r"x_{t+1} = x_t - s_t \odot \operatorname{sign}(g_t)")
    state_keys = ("prev", "step_size")

    def check(self, hyper):
        if np.any(np.asarray(hyper["step_size_min"]) > np.asarray(hyper["step_size_max"])):
            raise ValueError(f"{self.label}: Invalid step_size_min: {hyper['step_size_min']!r} "
                             f"(must be at most step_size_max = {hyper['step_size_max']!r})")

    def init(self, params):
        step_size = np.empty_like(params)
        step_size[...] = self.hyper["lr"]
        return {
            "step": 0,
            "prev": np.zeros_like(params),        # (N, 2) previous gradient (0 after a sign flip)
            "step_size": step_size,               # (N, 2) per-coordinate step size
            "sign": np.empty_like(params),        # scratch
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        grad = negate_if(grad, h["maximize"])
        state["step"] += 1
        prev, step_size, sign = state["prev"], state["step_size"], state["sign"]
        if state["step"] == 1:                    # torch fills step_size with the group's lr at the first step
            step_size[...] = lr
        np.multiply(grad, prev, out=sign)
        np.sign(sign, out=sign)
        flipped = sign < 0
        # torch maps the sign to etaplus / etaminus / 1 (a NaN sign stays NaN: that run has diverged anyway)
        factor = np.where(sign > 0, h["etaplus"], np.where(flipped, h["etaminus"], 1.0))
        step_size *= factor
        np.maximum(step_size, h["step_size_min"], out=step_size)      # clamp_(min, max)
        np.minimum(step_size, h["step_size_max"], out=step_size)
        np.copyto(grad, 0.0, where=flipped)                             # after a flip: rest, forget the sign
        np.copyto(prev, grad)
        np.sign(grad, out=sign)
        sign *= step_size                          # addcmul_(sign(g), step_size, value=-1)
        params -= sign

    def effective_lr(self, state, lr, step):
        """The per-coordinate step size s (a length: Rprop moves each coordinate by s, whatever |g| is)."""
        return recorded_rate(state["step_size"])
