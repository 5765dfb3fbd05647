"""Learning-rate schedules with torch.optim.lr_scheduler semantics.

A schedule maps the step index e = 0, 1, 2, ... (the number of
``scheduler.step()`` calls made before that optimizer step) and the base rate
``lr`` to the rate used for that step. :meth:`Schedule.values` returns the
whole sequence at once: shape ``(T,)`` for a scalar ``lr`` or ``(T, N, 1)`` for
per-run rates ``(N, 1)``.

Where torch computes a rate recursively from the previous one (StepLR,
ExponentialLR, LinearLR, CosineAnnealingLR are "chainable"), :class:`Chained`
runs the same recursion, so the rates equal torch's ``param_groups[0]["lr"]``
to the bit; the ``formula`` states the closed form, which agrees to rounding.
Parameters take torch's names; where torch has no default (or one meant for
epoch counts in the thousands) the default suits runs of 100-1000 steps.
"""
from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from landscapes.schema import Param, validate_params

__all__ = ["Schedule", "get", "names", "schema"]

_REGISTRY: dict[str, type["Schedule"]] = {}


def _register(cls):
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    return list(_REGISTRY)


def schedule_class(name: str) -> type["Schedule"]:
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown schedule {name!r}; known: {', '.join(_REGISTRY)}") from None


def get(name: str = "constant", **params) -> "Schedule":
    return schedule_class(name)(**params)


def schema(name: str) -> tuple:
    return schedule_class(name).schema


class Schedule:
    """Base class: subclasses define ``factor`` or override ``rates``."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    torch_name: ClassVar[str | None] = None
    schema: ClassVar[tuple] = ()
    formula: ClassVar[str] = ""

    def __init__(self, **params) -> None:
        # torch's optional parameters (default None) may be passed as None explicitly
        optional = {p.name for p in self.schema if p.default is None}
        params = {k: v for k, v in params.items() if not (k in optional and v is None)}
        values = validate_params(self.schema, params, owner=f"schedule {self.name!r}")
        self.params = values
        self.check(values)

    def check(self, params: dict) -> None:
        """Cross-parameter validation; raise ValueError naming the parameter."""

    def rates(self, epochs: np.ndarray, lr):
        """Rate at each epoch ``e`` (``(T,)`` integers) for base rate ``lr`` (float or ``(N, 1)``)."""
        raise NotImplementedError

    def values(self, lr, steps: int) -> np.ndarray:
        """The rate used by each of ``steps`` optimizer steps: ``(T,)`` or ``(T, N, 1)``."""
        epochs = np.arange(steps)
        if isinstance(lr, np.ndarray):
            return self.rates(epochs[:, None, None], lr[None, :, :])
        return np.broadcast_to(np.asarray(self.rates(epochs, lr), dtype=np.float64), (steps,)).copy()

    def describe(self) -> str:
        parts = [f"{p.name}={self.params[p.name]:g}" for p in self.schema
                 if self.params[p.name] is not None and self.params[p.name] != p.default]
        return " ".join([self.label] + parts)

    def __repr__(self) -> str:
        given = ", ".join(f"{p.name}={self.params[p.name]!r}" for p in self.schema)
        return f"schedules.get({self.name!r}{', ' if given else ''}{given})"


class Chained(Schedule):
    """A schedule torch computes recursively: lr_0 = ``first(lr)``, lr_e = ``chain(e, lr_{e-1}, lr)``.

    The recursion is run exactly as torch runs it (same operations, same
    order), on a float or on per-run ``(N, 1)`` arrays.
    """

    def first(self, base):
        return base

    def chain(self, epoch: int, current, base):
        raise NotImplementedError

    def values(self, lr, steps: int) -> np.ndarray:
        base = np.array(lr, dtype=np.float64) if isinstance(lr, np.ndarray) else float(lr)
        out = np.empty((steps,) + np.shape(base))                # (T,) or (T, N, 1)
        if steps == 0:
            return out
        current = self.first(base)
        out[0] = current
        for epoch in range(1, steps):
            current = self.chain(epoch, current, base)
            out[epoch] = current
        return out


@_register
class Constant(Schedule):
    """lr_e = lr (no scheduler)."""

    name = "constant"
    label = "constant"
    formula = r"\alpha_t = \alpha"

    def rates(self, epochs, lr):
        return lr + 0.0 * epochs


def _int_param(name: str, default, help: str, low: int = 1, slider_high: int = 1000) -> Param:
    return Param(name, default, help, kind="int", low=low, high=1_000_000, per_run=False,
                 slider_low=low, slider_high=slider_high)


def _gamma_param(default: float, help: str, slider_low: float) -> Param:
    return Param("gamma", default, help, low=0.0, high=1.0, low_open=True, per_run=False,
                 slider_low=slider_low, slider_high=1.0)


@_register
class StepDecay(Chained):
    """torch.optim.lr_scheduler.StepLR: multiply the rate by gamma every ``step_size`` steps.

    lr_e = lr * gamma^floor(e / step_size); torch: lr_e = lr_{e-1} * gamma when
    e is a positive multiple of step_size, else lr_{e-1}.
    """

    name = "step"
    label = "step decay"
    torch_name = "StepLR"
    schema = (
        _int_param("step_size", 100, "steps between two decays"),
        _gamma_param(0.1, "factor applied at every decay", 0.01),
    )
    formula = r"\alpha_t = \alpha\,\gamma^{\lfloor t / s \rfloor}"

    def chain(self, epoch, current, base):
        if epoch % self.params["step_size"] != 0:
            return current
        return current * self.params["gamma"]


@_register
class Exponential(Chained):
    """torch.optim.lr_scheduler.ExponentialLR: lr_e = lr * gamma^e (torch: lr_e = lr_{e-1} * gamma)."""

    name = "exponential"
    label = "exponential decay"
    torch_name = "ExponentialLR"
    schema = (_gamma_param(0.99, "factor applied at every step", 0.9),)
    formula = r"\alpha_t = \alpha\,\gamma^{t}"

    def chain(self, epoch, current, base):
        return current * self.params["gamma"]


@_register
class InverseTime(Schedule):
    """The lecture's 1/t decay: lr_e = lr / (1 + decay * e).

    torch: LambdaLR with lr_lambda(e) = 1 / (1 + decay * e), computed as
    lr * (1 / (1 + decay * e)).
    """

    name = "inverse_time"
    label = "1/t decay"
    torch_name = "LambdaLR"
    schema = (
        Param("decay", 0.01, "k in lr / (1 + k t): the rate halves after 1/k steps",
              low=0.0, per_run=False, scale="log", slider_low=1e-4, slider_high=1.0),
    )
    formula = r"\alpha_t = \frac{\alpha}{1 + k\,t}"

    def rates(self, epochs, lr):
        return lr * (1.0 / (1.0 + self.params["decay"] * epochs))


@_register
class Cosine(Chained):
    """torch.optim.lr_scheduler.CosineAnnealingLR (no restarts).

    lr_e = eta_min + (lr - eta_min) (1 + cos(pi e / T_max)) / 2, computed as
    torch does, recursively:
    lr_e = eta_min + (lr_{e-1} - eta_min) (1 + cos(pi e / T_max)) / (1 + cos(pi (e-1) / T_max)),
    and lr_e = lr_{e-1} + (lr - eta_min)(1 - cos(pi / T_max))/2 just after each
    minimum. Past T_max the rate climbs back along the cosine (period 2 T_max),
    as in torch.
    """

    name = "cosine"
    label = "cosine annealing"
    torch_name = "CosineAnnealingLR"
    schema = (
        _int_param("T_max", 200, "steps from the full rate down to eta_min (half a period)"),
        Param("eta_min", 0.0, "the smallest rate, reached at t = T_max",
              low=0.0, per_run=False, scale="log", slider_low=1e-6, slider_high=1.0),
    )
    formula = (r"\alpha_t = \eta_{\min} + \tfrac12\,(\alpha - \eta_{\min})"
               r"\left(1 + \cos\frac{\pi t}{T_{\max}}\right)")

    def chain(self, epoch, current, base):
        T_max, eta_min = self.params["T_max"], self.params["eta_min"]
        if (epoch - 1 - T_max) % (2 * T_max) == 0:
            return current + (base - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
        return ((1 + math.cos(math.pi * epoch / T_max)) / (1 + math.cos(math.pi * (epoch - 1) / T_max))
                * (current - eta_min) + eta_min)


@_register
class Cyclic(Schedule):
    """torch.optim.lr_scheduler.CyclicLR, mode "triangular", ``cycle_momentum=False``.

    The rate rises linearly from the optimizer's ``lr`` (torch's ``base_lr``) to
    ``max_lr`` over ``step_size_up`` steps, falls back over ``step_size_down``
    steps (None: the same as up), and repeats. torch's arithmetic:
    cycle = floor(1 + e / total), x = 1 + e / total - cycle, scale = x / ratio
    (x <= ratio) or (x - 1) / (ratio - 1), with ratio = step_size_up / total.
    """

    name = "cyclic"
    label = "cyclic (triangular)"
    torch_name = "CyclicLR"
    schema = (
        Param("max_lr", 0.01, "the rate at the top of each cycle (the optimizer's lr is the bottom)",
              low=0.0, per_run=False, scale="log", slider_low=1e-5, slider_high=10.0),
        _int_param("step_size_up", 50, "steps from the bottom to the top of a cycle"),
        _int_param("step_size_down", None, "steps from the top back to the bottom (None: step_size_up)"),
    )
    formula = (r"\alpha_t = \alpha + (\alpha_{\max} - \alpha)\begin{cases} u / s_{\uparrow} & u \le s_{\uparrow}"
               r" \\ (s_{\uparrow} + s_{\downarrow} - u) / s_{\downarrow} & u > s_{\uparrow} \end{cases},"
               r"\quad u = t \bmod (s_{\uparrow} + s_{\downarrow})")

    def rates(self, epochs, lr):
        up = float(self.params["step_size_up"])
        down = up if self.params["step_size_down"] is None else float(self.params["step_size_down"])
        total = up + down
        ratio = up / total
        cycle = np.floor(1 + epochs / total)
        x = 1.0 + epochs / total - cycle
        scale = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
        return lr + (self.params["max_lr"] - lr) * scale * 1.0


@_register
class Warmup(Chained):
    """torch.optim.lr_scheduler.LinearLR: a linear ramp of the rate's factor.

    lr_e = lr * (start_factor + (end_factor - start_factor) * min(e, total_iters) / total_iters);
    torch: lr_0 = lr * start_factor, then for 1 <= e <= total_iters
    lr_e = lr_{e-1} * (1 + (end - start) / (total_iters * start + (e - 1)(end - start))).
    """

    name = "warmup"
    label = "linear warm-up"
    torch_name = "LinearLR"
    schema = (
        Param("start_factor", 1.0 / 3, "fraction of the rate used at the first step",
              low=0.0, high=1.0, low_open=True, per_run=False, slider_low=0.01, slider_high=1.0),
        Param("end_factor", 1.0, "fraction of the rate reached after total_iters steps",
              low=0.0, high=1.0, per_run=False, slider_low=0.0, slider_high=1.0),
        _int_param("total_iters", 5, "length of the ramp in steps", slider_high=500),
    )
    formula = (r"\alpha_t = \alpha\left(f_0 + (f_1 - f_0)\,\frac{\min(t, T)}{T}\right)")

    def first(self, base):
        return base * self.params["start_factor"]

    def chain(self, epoch, current, base):
        start, end, total = self.params["start_factor"], self.params["end_factor"], self.params["total_iters"]
        if epoch > total:
            return current
        return current * (1.0 + (end - start) / (total * start + (epoch - 1) * (end - start)))
