"""Stochastic gradient descent, with momentum and Nesterov momentum (torch.optim.SGD)."""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register, with_defaults
from optimizers.fast import all_true, is_set
from optimizers.common import MAXIMIZE, WEIGHT_DECAY, lr_param, negate_if


@register
class SGD(FirstOrder):
    r"""torch.optim.SGD.

    With g_t = grad f(x_t) (+ weight_decay * x_t):

    * plain:     x_{t+1} = x_t - lr * g_t
    * momentum:  b_1 = g_1;  b_t = momentum * b_{t-1} + (1 - dampening) * g_t;  x_{t+1} = x_t - lr * b_t
    * nesterov:  x_{t+1} = x_t - lr * (g_t + momentum * b_t)

    Differences from the lecture's slide: the slide keeps v = rho v + dx and
    steps x -= lr * v, which is torch's form with dampening = 0; the first
    buffer is the gradient itself (not (1 - dampening) * g). Nesterov is the
    "look-ahead" rewritten so the gradient is taken at the current point
    (Sutskever et al. 2013), as torch does.

    The look-ahead point in this form (:meth:`lookahead`). The lecture's Nesterov
    keeps an iterate theta_t and a velocity v_t:
    v_{t+1} = rho v_t - lr grad f(theta_t + rho v_t), theta_{t+1} = theta_t + v_{t+1}.
    Substitute x_t = theta_t + rho v_t and v_t = -lr b_t: then
    b_{t+1} = rho b_t + grad f(x_t) and x_{t+1} = theta_{t+1} + rho v_{t+1}
    = x_t - rho v_t + (1 + rho) v_{t+1} = x_t - lr (grad f(x_t) + rho b_{t+1}),
    which is torch's rule above. So the engine's point x_t *is* the look-ahead
    point theta_t + rho v_t, and the lecture's iterate sits behind it along the
    velocity: theta_t = x_t - rho v_t = x_t + lr rho b_t (b_t the buffer after t
    steps, lr the rate of the update that reached x_t; exact at a constant lr,
    a reading of the same form under a schedule). At x_0, b_0 = 0 and theta_0 = x_0.
    """

    name = "sgd"
    starter_hyper = {"lr": 0.035}
    velocity_state, velocity_gate = "momentum_buffer", "momentum"
    label = "SGD"
    torch_name = "SGD"
    schema = (
        lr_param(1e-3),
        Param("momentum", 0.0, "momentum factor rho: how much of the previous velocity is kept",
              low=0.0, slider_low=0.0, slider_high=0.999),
        Param("dampening", 0.0, "dampening for momentum: the new gradient is scaled by (1 - dampening)",
              low=0.0, high=1.0, slider_low=0.0, slider_high=1.0),
        WEIGHT_DECAY,
        Param("nesterov", False, "use Nesterov momentum (needs momentum > 0 and dampening = 0)",
              kind="bool", per_run=False),
        MAXIMIZE,
    )
    rule = (r"v_{t} = \rho\, v_{t-1} + (1-\tau)\, \nabla f(x_t), \quad "
            r"x_{t+1} = x_t - \alpha\, v_t")
    state_keys = ("momentum_buffer",)

    @classmethod
    def rule_for(cls, hyper: dict) -> str:
        r"""The rule for these settings: with momentum 0, plain SGD :math:`x_{t+1} = x_t - \alpha \nabla f(x_t)`;
        without dampening, no :math:`(1-\tau)` factor; with Nesterov, the look-ahead step."""
        momentum, dampening = float(hyper.get("momentum", 0.0)), float(hyper.get("dampening", 0.0))
        if momentum == 0:
            return r"x_{t+1} = x_t - \alpha\, \nabla f(x_t)"
        if hyper.get("nesterov"):
            return Nesterov.rule
        if dampening == 0:
            return r"v_{t} = \rho\, v_{t-1} + \nabla f(x_t), \quad x_{t+1} = x_t - \alpha\, v_t"
        return cls.rule

    def check(self, hyper):
        if hyper["nesterov"] and (np.any(hyper["momentum"] <= 0) or is_set(hyper["dampening"])):
            raise ValueError(f"{self.label}: Nesterov momentum requires a momentum and zero dampening")

    def init(self, params):
        return {"step": 0, "momentum_buffer": np.zeros_like(params)}   # (N, 2)

    def lookahead(self, params, state, lr):
        """With ``nesterov``: ``(theta_t, x_t)`` = ``(x_t + lr rho b_t, x_t)`` (see the class docstring);
        else ``None`` (plain SGD and heavy-ball momentum take the gradient at their iterate)."""
        if not self.hyper["nesterov"]:
            return None
        params = np.asarray(params, dtype=np.float64)
        origin = params + np.asarray(lr, dtype=np.float64) * self.hyper["momentum"] * state["momentum_buffer"]
        return origin, params.copy()

    def update(self, params, grad, state, lr):
        h = self.hyper
        grad = negate_if(grad, h["maximize"])
        if is_set(h["weight_decay"]):
            grad += h["weight_decay"] * params
        state["step"] += 1
        momentum = h["momentum"]
        if is_set(momentum):
            buf = state["momentum_buffer"]
            if state["step"] == 1:
                np.copyto(buf, grad)
            else:
                buf *= momentum
                buf += (1 - h["dampening"]) * grad
            if h["nesterov"]:
                grad += momentum * buf
            elif all_true(momentum != 0):
                grad = buf
            else:
                # per-run momentum mixing 0 and > 0: rows with 0 take torch's plain step (no buffer,
                # dampening ignored), exactly as separate runs would
                without = momentum == 0                      # (N, 1)
                np.copyto(buf, 0.0, where=without)
                grad = np.where(without, grad, buf)
        params -= lr * grad


@register
class Momentum(SGD):
    """SGD with momentum 0.9 (torch.optim.SGD(momentum=0.9)): the lecture's SGD+Momentum."""

    name = "momentum"
    starter_hyper = {"lr": 0.01}
    label = "Momentum"
    schema = with_defaults(SGD.schema, momentum=0.9)


@register
class Nesterov(SGD):
    """SGD with Nesterov momentum 0.9 (torch.optim.SGD(momentum=0.9, nesterov=True))."""

    name = "nesterov"
    starter_hyper = {"lr": 0.01}
    label = "Nesterov"
    schema = with_defaults(SGD.schema, momentum=0.9, nesterov=True)
    rule = (r"v_{t} = \rho\, v_{t-1} + \nabla f(x_t), \quad "
            r"x_{t+1} = x_t - \alpha\,(\nabla f(x_t) + \rho\, v_t)")
