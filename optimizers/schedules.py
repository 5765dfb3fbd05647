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
    # True for a schedule that follows each run's loss (ReduceLROnPlateau): the loop asks it for a tracker
    reacts_to_loss: ClassVar[bool] = False

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
        parts = [f"{p.name}={_shown(self.params[p.name])}" for p in self.schema
                 if self.params[p.name] is not None and self.params[p.name] != p.default]
        return " ".join([self.label] + parts)

    def segment(self, lr, steps: int) -> np.ndarray:
        """The rates after torch's SequentialLR hands over to this schedule at a milestone.

        SequentialLR restarts a schedule with ``_update_lr(0)``: its closed form at
        epoch 0 where torch has one, then its own recursion. For a closed-form
        schedule that is simply :meth:`values`.
        """
        return self.values(lr, steps)

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

    def restart(self, base):
        """The rate at epoch 0 from torch's closed form (``_get_closed_form_lr``), used by SequentialLR."""
        return self.first(base)

    def chain(self, epoch: int, current, base):
        raise NotImplementedError

    def values(self, lr, steps: int, restarted: bool = False) -> np.ndarray:
        base = np.array(lr, dtype=np.float64) if isinstance(lr, np.ndarray) else float(lr)
        out = np.empty((steps,) + np.shape(base))                # (T,) or (T, N, 1)
        if steps == 0:
            return out
        current = self.restart(base) if restarted else self.first(base)
        out[0] = current
        for epoch in range(1, steps):
            current = self.chain(epoch, current, base)
            out[epoch] = current
        return out

    def segment(self, lr, steps: int) -> np.ndarray:
        return self.values(lr, steps, restarted=True)


@_register
class Constant(Schedule):
    """lr_e = lr (no scheduler)."""

    name = "constant"
    label = "constant"
    formula = r"\alpha_t = \alpha"

    def rates(self, epochs, lr):
        return lr + 0.0 * epochs


def _shown(value) -> str:
    """A parameter value in a description: numbers with ``:g``, text and choices as they are."""
    return f"{value:g}" if isinstance(value, float) else str(value)


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

    def restart(self, base):
        eta_min = self.params["eta_min"]
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * 0 / self.params["T_max"])) / 2

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


# ------------------------------------------------------- the rest of torch.optim.lr_scheduler (2.13)
def _parse_milestones(text: str, owner: str) -> tuple[int, ...]:
    """``"100 200"`` (spaces or commas) -> ``(100, 200)``: positive whole numbers, increasing."""
    tokens = text.replace(",", " ").split()
    if not tokens or not all(token.isdigit() for token in tokens):
        raise ValueError(f"{owner}: Invalid milestones: {text[:40]!r} (must be whole numbers >= 1 separated by "
                         f"spaces, e.g. '100 200')")
    values = tuple(int(token) for token in tokens)
    if values[0] < 1 or any(b <= a for a, b in zip(values, values[1:])):
        raise ValueError(f"{owner}: Invalid milestones: {text[:40]!r} (must be >= 1 and increasing)")
    return values


@_register
class MultiStep(Chained):
    """torch.optim.lr_scheduler.MultiStepLR: multiply the rate by gamma at each milestone.

    lr_e = lr * gamma^(number of milestones <= e); torch: lr_e = lr_{e-1} * gamma
    when e is a milestone. ``milestones`` is text, e.g. ``"100 200"`` (torch's list).
    """

    name = "multistep"
    label = "multi-step decay"
    torch_name = "MultiStepLR"
    schema = (
        Param("milestones", "100 200", "steps at which the rate is multiplied by gamma (whole numbers, increasing, "
              "separated by spaces)", kind="text", per_run=False, max_length=200),
        _gamma_param(0.1, "factor applied at every milestone", 0.01),
    )
    formula = r"\alpha_t = \alpha\,\gamma^{\#\{m_i \le t\}}"

    def check(self, params):
        self.milestones = _parse_milestones(params["milestones"], f"schedule {self.name!r}")

    def chain(self, epoch, current, base):
        if epoch not in self.milestones:
            return current
        return current * self.params["gamma"]      # torch: gamma ** (times listed), once here: increasing


@_register
class ConstantFactor(Chained):
    """torch.optim.lr_scheduler.ConstantLR: lr * factor for the first ``total_iters`` steps, then lr.

    torch: lr_0 = lr * factor, and lr_e = lr_{e-1} * (1 / factor) at e = total_iters.
    A plain warm-up by a constant factor.
    """

    name = "constant_factor"
    label = "constant factor, then full rate"
    torch_name = "ConstantLR"
    schema = (
        Param("factor", 1.0 / 3, "fraction of the rate used for the first total_iters steps",
              low=0.0, high=1.0, low_open=True, per_run=False, slider_low=0.01, slider_high=1.0),
        _int_param("total_iters", 5, "steps run at the reduced rate", slider_high=500),
    )
    formula = r"\alpha_t = \alpha \begin{cases} f & t < T \\ 1 & t \ge T \end{cases}"

    def first(self, base):
        return base * self.params["factor"]

    def restart(self, base):
        factor = self.params["factor"]
        return base * (factor + (0 >= self.params["total_iters"]) * (1 - factor))

    def chain(self, epoch, current, base):
        if epoch != self.params["total_iters"]:
            return current
        return current * (1.0 / self.params["factor"])


@_register
class Polynomial(Chained):
    """torch.optim.lr_scheduler.PolynomialLR: lr_e = lr (1 - min(e, T) / T)^power, 0 from e = T on.

    torch: lr_e = lr_{e-1} * ((1 - e/T) / (1 - (e-1)/T))^power for 1 <= e <= T.
    torch's default total_iters is 5; here 200, for runs of hundreds of steps.
    """

    name = "polynomial"
    label = "polynomial decay"
    torch_name = "PolynomialLR"
    schema = (
        _int_param("total_iters", 200, "steps until the rate reaches 0"),
        Param("power", 1.0, "power of the polynomial (1: linear decay to 0)", low=0.0, per_run=False,
              slider_low=0.1, slider_high=5.0),
    )
    formula = r"\alpha_t = \alpha \left(1 - \frac{\min(t, T)}{T}\right)^{p}"

    def chain(self, epoch, current, base):
        total, power = self.params["total_iters"], self.params["power"]
        if epoch > total:
            return current
        return current * ((1.0 - epoch / total) / (1.0 - (epoch - 1) / total)) ** power


@_register
class WarmRestarts(Schedule):
    """torch.optim.lr_scheduler.CosineAnnealingWarmRestarts: SGDR (Loshchilov & Hutter 2017).

    lr_e = eta_min + (lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2, where T_cur
    counts the steps since the last restart and the period T_i starts at T_0
    and is multiplied by T_mult at each restart. The rate jumps back to lr at
    every restart: the lecture's snapshot ensembles keep the point reached at
    the end of each cycle (each low-rate moment) as one member of the ensemble.
    torch has no default T_0; here 50.
    """

    name = "cosine_restarts"
    label = "cosine with warm restarts (SGDR)"
    torch_name = "CosineAnnealingWarmRestarts"
    schema = (
        _int_param("T_0", 50, "steps of the first cycle"),
        _int_param("T_mult", 1, "each cycle is T_mult times longer than the one before", slider_high=4),
        Param("eta_min", 0.0, "the smallest rate, approached at the end of each cycle",
              low=0.0, per_run=False, scale="log", slider_low=1e-6, slider_high=1.0),
    )
    formula = (r"\alpha_t = \eta_{\min} + \tfrac12\,(\alpha - \eta_{\min})"
               r"\left(1 + \cos\frac{\pi T_{cur}}{T_i}\right),\ T_i = T_0 T_{mult}^{k}")

    def phases(self, steps: int) -> list[float]:
        """``1 + cos(pi T_cur / T_i)`` at each step, with T_cur and T_i stepped as torch's ``step()`` does."""
        T_i, T_cur, out = self.params["T_0"], 0, []
        for epoch in range(steps):
            if epoch > 0:
                T_cur += 1
                if T_cur >= T_i:
                    T_cur = T_cur % T_i
                    T_i = T_i * self.params["T_mult"]
            out.append(1 + math.cos(math.pi * T_cur / T_i))
        return out

    def values(self, lr, steps: int) -> np.ndarray:
        eta_min = self.params["eta_min"]
        phase = np.array(self.phases(steps), dtype=np.float64)
        if isinstance(lr, np.ndarray):
            return eta_min + (lr[None, :, :] - eta_min) * phase[:, None, None] / 2
        return eta_min + (float(lr) - eta_min) * phase / 2


@_register
class OneCycle(Schedule):
    """torch.optim.lr_scheduler.OneCycleLR (Smith & Topin 2018), with ``cycle_momentum=False``.

    The rate climbs from lr / div_factor to lr over the first pct_start of
    ``total_steps``, then anneals to lr / (div_factor * final_div_factor)
    (cosine or linear); ``three_phase`` comes back down to lr / div_factor
    first and then anneals. torch's ``max_lr`` is the optimizer's ``lr`` here,
    so a learning-rate sweep sweeps the peak. ``total_steps=None`` spans the
    run. Past ``total_steps`` torch raises; here the rate stays at its final value.
    Momentum is not cycled (a schedule here only sets the rate).
    """

    name = "one_cycle"
    label = "one cycle"
    torch_name = "OneCycleLR"
    schema = (
        Param("total_steps", None, "length of the cycle in steps (None: the run's number of steps)",
              kind="int", low=1, high=1_000_000, per_run=False, slider_low=1, slider_high=5000),
        Param("pct_start", 0.3, "fraction of the cycle spent raising the rate", low=0.0, high=1.0,
              per_run=False, slider_low=0.0, slider_high=1.0),
        Param("anneal_strategy", "cos", "shape of each phase", kind="choice", choices=("cos", "linear"),
              per_run=False),
        Param("div_factor", 25.0, "the cycle starts at lr / div_factor", low=1.0, per_run=False, scale="log",
              slider_low=1.0, slider_high=1000.0),
        Param("final_div_factor", 1e4, "the cycle ends at lr / (div_factor * final_div_factor)", low=1.0,
              per_run=False, scale="log", slider_low=1.0, slider_high=1e6),
        Param("three_phase", False, "come back to lr / div_factor before the final annealing", kind="bool",
              per_run=False),
    )
    formula = (r"\alpha_t:\ \tfrac{\alpha}{d} \nearrow \alpha \searrow \tfrac{\alpha}{d\,d_f}"
               r"\ \text{(cosine halves)}")

    def _phases(self, total: int) -> list[tuple[float, int, int]]:
        """``(end_step, start, end)`` per phase; start/end index (initial_lr, max_lr, min_lr)."""
        pct = self.params["pct_start"]
        if self.params["three_phase"]:
            return [(float(pct * total) - 1, 0, 1), (float(2 * pct * total) - 2, 1, 0), (total - 1, 0, 2)]
        return [(float(pct * total) - 1, 0, 1), (total - 1, 1, 2)]

    def values(self, lr, steps: int) -> np.ndarray:
        total = steps if self.params["total_steps"] is None else self.params["total_steps"]
        phases = self._phases(max(total, 1))
        picks, fractions = [], []
        for epoch in range(steps):
            step_num = min(epoch, total - 1)
            start_step = 0.0
            for i, (end_step, start, end) in enumerate(phases):
                if step_num <= end_step or i == len(phases) - 1:
                    try:
                        pct = (step_num - start_step) / (end_step - start_step)
                    except ZeroDivisionError:
                        raise ValueError(f"schedule {self.name!r}: Invalid pct_start: {self.params['pct_start']!r} "
                                         f"(a phase of the {total}-step cycle would last no step)") from None
                    break
                start_step = end_step
            picks.append((start, end))
            fractions.append(math.cos(math.pi * pct) + 1 if self.params["anneal_strategy"] == "cos" else pct)
        base = np.asarray(lr, dtype=np.float64)
        initial = base / self.params["div_factor"]
        levels = np.stack([initial, base, initial / self.params["final_div_factor"]])   # (3, ...) as torch's group
        index = np.array(picks, dtype=np.int64).reshape(steps, 2)
        fraction = np.array(fractions, dtype=np.float64).reshape((steps,) + (1,) * base.ndim)
        start, end = levels[index[:, 0]], levels[index[:, 1]]
        if self.params["anneal_strategy"] == "cos":
            return end + (start - end) / 2.0 * fraction               # torch's _annealing_cos
        return (end - start) * fraction + start                       # torch's _annealing_linear


class Sequential(Schedule):
    """torch.optim.lr_scheduler.SequentialLR: ``parts[k]`` runs from ``milestones[k-1]`` on.

    At each milestone torch restarts the next scheduler with ``_update_lr(0)``
    (its closed form at epoch 0 where it has one), then lets it step on its own
    epoch count; this follows the same rule (see :meth:`Schedule.segment`).
    Built with :func:`sequential`; ``warmup_cosine`` is the registered preset.
    ReduceLROnPlateau cannot be a part (torch refuses it too), nor OneCycleLR
    (it rewrites the optimizer's initial rate) or another sequence.
    """

    name = "sequential"
    label = "sequence"
    torch_name = "SequentialLR"
    formula = r"\alpha_t = \alpha^{(k)}_{t - m_k},\ m_k \le t < m_{k+1}"

    def __init__(self, parts, milestones) -> None:
        super().__init__()
        parts, milestones = list(parts), [m for m in milestones]
        if not parts or not all(isinstance(p, Schedule) for p in parts):
            raise ValueError("sequential: parts must be one or more schedules from schedules.get(...)")
        for part in parts:
            if part.reacts_to_loss or isinstance(part, (OneCycle, Sequential)):
                raise ValueError(f"sequential: {part.name!r} cannot be part of a sequence")
        if len(milestones) != len(parts) - 1:
            raise ValueError(f"sequential: Invalid milestones: {len(parts)} parts need {len(parts) - 1} "
                             f"milestones, got {len(milestones)}")
        if any(not isinstance(m, (int, np.integer)) or isinstance(m, bool) or m < 1 for m in milestones) \
                or any(b <= a for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"sequential: Invalid milestones: {milestones!r} (must be whole numbers >= 1, increasing)")
        self.parts, self.milestones = parts, [int(m) for m in milestones]

    def values(self, lr, steps: int) -> np.ndarray:
        edges = [0] + self.milestones + [max(steps, self.milestones[-1] if self.milestones else 0)]
        chunks = []
        for k, part in enumerate(self.parts):
            start, stop = min(edges[k], steps), min(edges[k + 1], steps)
            if k == 0:
                chunks.append(part.values(lr, stop - start))
            else:
                chunks.append(part.segment(lr, stop - start))
        return np.concatenate(chunks, axis=0)

    def describe(self) -> str:
        return " then ".join(f"{part.describe()}" for part in self.parts) + f" (at {self.milestones})"

    def __repr__(self) -> str:
        return f"schedules.sequential({self.parts!r}, milestones={self.milestones!r})"


def sequential(parts, milestones) -> Sequential:
    """torch's ``SequentialLR(optimizer, parts, milestones)``: e.g. warm-up then cosine.

    >>> warm_then_cosine = sequential([get("warmup", total_iters=20), get("cosine", T_max=200)], milestones=[20])
    """
    return Sequential(parts, milestones)


@_register
class WarmupCosine(Schedule):
    """SequentialLR([LinearLR(start_factor, total_iters=warmup_iters), CosineAnnealingLR(T_max, eta_min)],
    milestones=[warmup_iters]): a linear warm-up, then cosine annealing from the full rate.

    The common recipe for large models; a preset of :class:`Sequential` with a flat schema.
    """

    name = "warmup_cosine"
    label = "warm-up, then cosine"
    torch_name = "SequentialLR"
    schema = (
        Param("start_factor", 0.1, "fraction of the rate used at the first step of the warm-up",
              low=0.0, high=1.0, low_open=True, per_run=False, slider_low=0.01, slider_high=1.0),
        _int_param("warmup_iters", 20, "length of the warm-up in steps", slider_high=500),
        _int_param("T_max", 200, "steps of the cosine from the full rate down to eta_min (after the warm-up)"),
        Param("eta_min", 0.0, "the smallest rate, reached T_max steps after the warm-up",
              low=0.0, per_run=False, scale="log", slider_low=1e-6, slider_high=1.0),
    )
    formula = (r"\alpha_t = \begin{cases} \alpha\left(f_0 + (1 - f_0)\,\frac{t}{W}\right) & t < W \\"
               r" \eta_{\min} + \tfrac12(\alpha - \eta_{\min})\left(1 + \cos\frac{\pi (t - W)}{T_{\max}}\right)"
               r" & t \ge W \end{cases}")

    def check(self, params):
        warm = get("warmup", start_factor=params["start_factor"], end_factor=1.0,
                   total_iters=params["warmup_iters"])
        cosine = get("cosine", T_max=params["T_max"], eta_min=params["eta_min"])
        self.sequence = Sequential([warm, cosine], [params["warmup_iters"]])

    def values(self, lr, steps: int) -> np.ndarray:
        return self.sequence.values(lr, steps)


class PlateauTracker:
    """The per-run state of ReduceLROnPlateau for one batch, fed each run's loss after each step.

    Writes the rate of the next step into ``rates[t + 1]`` (``(T, N, 1)``).
    Rows never interact: row i is the scheduler of run i alone.
    """

    def __init__(self, schedule: "Plateau", lr, n_runs: int, steps: int) -> None:
        self.params = schedule.params
        self.rates = np.empty((steps, n_runs, 1))
        self.rates[:] = np.broadcast_to(np.asarray(lr, dtype=np.float64).reshape(-1, 1), (n_runs, 1))
        worse = math.inf if self.params["mode"] == "min" else -math.inf
        self.best = np.full(n_runs, worse)
        self.bad_epochs = np.zeros(n_runs, dtype=np.int64)
        self.cooldown = np.zeros(n_runs, dtype=np.int64)

    def _is_better(self, current: np.ndarray) -> np.ndarray:
        p = self.params
        if p["mode"] == "min" and p["threshold_mode"] == "rel":
            return current < self.best * (1.0 - p["threshold"])
        if p["mode"] == "min":
            return current < self.best - p["threshold"]
        if p["threshold_mode"] == "rel":
            return current > self.best * (p["threshold"] + 1.0)
        return current > self.best + p["threshold"]

    def observe(self, t: int, loss: np.ndarray) -> None:
        """After step t: ``scheduler.step(loss)`` for every run; sets the rate of step t + 1."""
        if t + 1 >= self.rates.shape[0]:
            return
        p = self.params
        lr = self.rates[t, :, 0]
        better = self._is_better(loss)
        self.best = np.where(better, loss, self.best)
        self.bad_epochs = np.where(better, 0, self.bad_epochs + 1)
        cooling = self.cooldown > 0
        self.cooldown -= cooling
        self.bad_epochs[cooling] = 0
        reduce = self.bad_epochs > p["patience"]
        new_lr = np.maximum(lr * p["factor"], p["min_lr"])
        self.rates[t + 1, :, 0] = np.where(reduce & (lr - new_lr > p["eps"]), new_lr, lr)
        self.cooldown[reduce] = p["cooldown"]
        self.bad_epochs[reduce] = 0


@_register
class Plateau(Schedule):
    """torch.optim.lr_scheduler.ReduceLROnPlateau: lower each run's rate when its loss stops improving.

    After every step the run's exact loss at its new point is the metric (as
    ``scheduler.step(loss)`` after ``optimizer.step()``). A step improves when
    loss < best (1 - threshold) (``threshold_mode='rel'``; 'abs': loss < best
    - threshold; ``mode='max'`` mirrors both). After more than ``patience``
    steps without improvement the rate becomes max(rate * factor, min_lr)
    (unless that changes it by eps or less), and ``cooldown`` steps follow in
    which bad steps are not counted. Each run has its own rate: a batch of
    runs holds one scheduler per run. The rates are known only after the run
    (``Trajectory.lr``), so :meth:`values` refuses.
    """

    name = "plateau"
    label = "reduce on plateau"
    torch_name = "ReduceLROnPlateau"
    reacts_to_loss = True
    schema = (
        Param("mode", "min", "'min': the loss should fall; 'max': it should rise", kind="choice",
              choices=("min", "max"), per_run=False),
        Param("factor", 0.1, "factor applied to the rate at a plateau", low=0.0, high=1.0, low_open=True,
              high_open=True, per_run=False, slider_low=0.01, slider_high=0.99),
        _int_param("patience", 10, "steps without improvement tolerated before the rate drops", low=0,
                   slider_high=200),
        Param("threshold", 1e-4, "how much better than the best loss counts as an improvement",
              low=0.0, per_run=False, scale="log", slider_low=1e-8, slider_high=1.0),
        Param("threshold_mode", "rel", "'rel': relative to the best loss; 'abs': absolute", kind="choice",
              choices=("rel", "abs"), per_run=False),
        _int_param("cooldown", 0, "steps after a drop in which the loss is not watched", low=0, slider_high=200),
        Param("min_lr", 0.0, "the rate never drops below this", low=0.0, per_run=False, scale="log",
              slider_low=1e-8, slider_high=1.0),
        Param("eps", 1e-8, "a drop smaller than this is skipped", low=0.0, per_run=False, scale="log",
              slider_low=1e-12, slider_high=1e-2),
    )
    formula = (r"\alpha_{t+1} = \begin{cases} \max(\gamma\,\alpha_t,\ \alpha_{\min}) & "
               r"\text{no better loss for more than } p \text{ steps} \\ \alpha_t & \text{else} \end{cases}")

    def values(self, lr, steps: int) -> np.ndarray:
        if steps == 0:
            return np.zeros(0)
        raise ValueError("schedule 'plateau' follows each run's loss: its rates are known only after a run "
                         "(see Trajectory.lr)")

    def tracker(self, lr, n_runs: int, steps: int) -> PlateauTracker:
        return PlateauTracker(self, lr, n_runs, steps)
