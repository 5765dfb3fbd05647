"""The optimizer protocol, its registry, and the first-order base class.

An optimizer is a small object holding validated hyperparameters and two
methods, in the spirit of optax's ``init`` / ``update`` pair:

* ``init(params) -> state``: a dict of arrays for ``N`` runs (``params`` is ``(N, 2)``);
* ``step(params, state, objective, lr, active)``: one step of every run.

Unlike optax, ``step`` writes into ``params`` and ``state`` in place: on
``(N, 2)`` arrays NumPy's cost is per call, not per element, and preallocated
in-place updates are what makes one start x 500 steps run in milliseconds.
The math follows torch.optim (torch 2.13) operation by operation, so paths agree
with PyTorch to rounding; each class docstring states its rule.

Hyperparameters are validated at construction against the class ``schema``
(:class:`landscapes.schema.Param` records). Numeric ones may be 1-D arrays with
one value per run (a sweep in one batch); they are stored as ``(N, 1)`` columns
so they broadcast against ``(N, 2)`` arrays.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from landscapes.schema import Param, validate_params

__all__ = ["Optimizer", "FirstOrder", "register", "get", "names", "schema", "with_defaults"]

_REGISTRY: dict[str, type["Optimizer"]] = {}


def register(cls: type["Optimizer"]) -> type["Optimizer"]:
    """Class decorator: make ``cls`` available as ``optimizers.get(cls.name)``."""
    if cls.name in _REGISTRY:
        raise ValueError(f"optimizer {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    """Registered optimizer names, in registration order."""
    return list(_REGISTRY)


def optimizer_class(name: str) -> type["Optimizer"]:
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(_REGISTRY)}") from None


def get(name: str, **hyper) -> "Optimizer":
    """Build optimizer ``name`` with ``hyper`` (torch's names and defaults for the rest)."""
    return optimizer_class(name)(**hyper)


def schema(name: str) -> tuple:
    """The hyperparameter schema of optimizer ``name``."""
    return optimizer_class(name).schema


def with_defaults(params: tuple, **defaults: Any) -> tuple:
    """A copy of a schema with some defaults changed (for presets such as ``momentum``)."""
    unknown = set(defaults) - {p.name for p in params}
    if unknown:
        raise ValueError(f"with_defaults: unknown parameters {sorted(unknown)}")
    return tuple(replace(p, default=defaults[p.name]) if p.name in defaults else p for p in params)


def _split_torch_tuple(owner: str, hyper: dict, torch_arg: str, parts: tuple) -> dict:
    """``betas=(b1, b2)`` -> ``beta1=b1, beta2=b2`` (torch's tuple argument split into its schema entries)."""
    if any(part in hyper for part in parts):
        raise ValueError(f"{owner}: give either {torch_arg} or {'/'.join(parts)}, not both")
    value = hyper[torch_arg]
    if not isinstance(value, (tuple, list)) or len(value) != len(parts):
        kind = {2: "pair", 3: "triple"}.get(len(parts), "tuple")
        raise ValueError(f"{owner}: {torch_arg} must be a {kind} ({', '.join(parts)}), got {value!r}")
    rest = {k: v for k, v in hyper.items() if k != torch_arg}
    return {**rest, **dict(zip(parts, value))}


class Optimizer:
    """Base class. Subclasses set the class attributes and implement ``init`` and ``step``.

    Class attributes:
        name: registry key (torch's class name in lower case where torch has one).
        label: display name, e.g. ``"Adam"``.
        schema: tuple of :class:`Param`, torch's names and defaults.
        rule: the update rule in the lecture's notation (LaTeX), for display.
        state_keys: names of ``(N, 2)`` state arrays worth recording per step
            (e.g. ``("exp_avg", "exp_avg_sq")``).
        torch_name: the torch.optim class it mirrors (``None`` when beyond torch).
        torch_tuples: torch's tuple arguments and the schema names of their parts, e.g.
            ``{"betas": ("beta1", "beta2")}``: ``betas=(0.5, 0.9)`` is accepted as in torch.

    Facts the web app reads (safe defaults; an optimizer needs no web change):
        starter_hyper: teaching-friendly first values for a new run in the app (schema
            defaults for the rest), e.g. ``{"lr": 0.3}``.
        step_cost: the cost of one step of one run relative to one first-order (Adam) run-step
            in the same batch (1 for first-order; L-BFGS sets its measured worst case). The web
            app's cost model (``webapp.compute.cost``) turns it into microseconds and bounds the
            work per request with it, deterministically (a shared link shows the same steps anywhere).
        rule_symbols: hyperparameter name -> the symbol ``rule`` uses for it (LaTeX).
        velocity_state: the ``state_keys`` entry that is the run's velocity / first moment
            (drawn as an arrow), or ``None``; ``velocity_gate``: a hyperparameter that must be
            non-zero for it to count (SGD's ``momentum``), or ``None``.
        lookahead(params, state, lr): where a method takes its gradient ahead of the lecture's
            iterate (Nesterov), as ``(origin, point)``; ``None`` (the default) for the others.
        effective_lr_on_m_hat: ``Trajectory.effective_lr`` is the rate on the raw first moment
            m_t; ``True`` when the lecture reads it on the bias-corrected m_hat (Adam), i.e.
            ``lr / (sqrt(v_hat) + eps)`` = the engine's rate times ``1 - beta1^t``.
        state_series: scalar per-run state worth plotting over time: a ``state_keys`` entry whose
            two columns are equal (its column 0 is the value) -> the row's title, e.g. Prodigy's
            ``{"d": ...}`` (its distance estimate) or ASGD's ``eta`` and ``mu``. The inner-state
            panel draws one row each (``webapp.figures.inner_state``); empty by default.
        map_points: recorded points worth showing beside the run's point on the map: a ``state_keys``
            entry -> ``(label, offset)``; the point shown at step t is that state at ``t + offset``
            (SAM's ascent probe from x_t is recorded with the step into t + 1: offset 1;
            Schedule-Free's y_t and z_t: offset 0). The Arrows view draws an arrow to each.
        averaged_state: the ``state_keys`` entry that is the optimizer's own iterate average (ASGD's
            ``ax``), or ``None``; the page's Polyak view draws it instead of recomputing a running mean.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    schema: ClassVar[tuple] = ()
    rule: ClassVar[str] = ""
    state_keys: ClassVar[tuple] = ()
    torch_name: ClassVar[str | None] = None
    # torch's tuple arguments -> the schema entries that hold their parts (controls and URLs take one number each)
    torch_tuples: ClassVar[dict] = {"betas": ("beta1", "beta2")}
    starter_hyper: ClassVar[dict] = {}
    step_cost: ClassVar[float] = 1.0
    rule_symbols: ClassVar[dict] = {
        "lr": r"\alpha", "momentum": r"\rho", "dampening": r"\tau", "beta1": r"\beta_1", "beta2": r"\beta_2",
        "eps": r"\epsilon", "rho": r"\rho", "damping": r"\delta", "max_step": r"\Delta", "history_size": "m"}
    velocity_state: ClassVar[str | None] = None
    velocity_gate: ClassVar[str | None] = None
    effective_lr_on_m_hat: ClassVar[bool] = False
    state_series: ClassVar[dict] = {}
    averaged_state: ClassVar[str | None] = None
    map_points: ClassVar[dict] = {}

    @classmethod
    def rule_for(cls, hyper: dict) -> str:
        """The update rule for these hyperparameter values (LaTeX), for display: ``rule`` unless a
        class drops the terms its settings switch off (plain SGD has no velocity)."""
        return cls.rule

    def __init__(self, **hyper: Any) -> None:
        known = {p.name for p in self.schema}
        for torch_arg, parts in self.torch_tuples.items():
            if torch_arg in hyper and parts[0] in known:
                hyper = _split_torch_tuple(self.label, hyper, torch_arg, parts)
        # torch's optional arguments (default None) may be spelled out as None
        optional = {p.name for p in self.schema if p.default is None}
        hyper = {k: v for k, v in hyper.items() if not (k in optional and v is None)}
        values = validate_params(self.schema, hyper, owner=self.label or self.name)
        self.given = dict(hyper)
        self.hyper = {k: (v.reshape(-1, 1) if isinstance(v, np.ndarray) else v) for k, v in values.items()}
        self.check(self.hyper)

    # --------------------------------------------------------------- hooks
    def check(self, hyper: dict) -> None:
        """Cross-parameter validation (e.g. nesterov needs momentum > 0); raise ValueError."""

    def init(self, params: np.ndarray) -> dict:
        """Fresh state for ``N`` runs at ``params`` ``(N, 2)``."""
        raise NotImplementedError

    def step(self, params: np.ndarray, state: dict, objective, lr, active: np.ndarray) -> None:
        """Advance every run one step, in place. ``lr`` is the scheduled rate: a float or ``(N, 1)``.

        ``active`` ``(N,)`` marks runs still going; per-row methods skip the others.
        """
        raise NotImplementedError

    def effective_lr(self, state: dict, lr, step) -> np.ndarray | None:
        """Per-axis effective learning rate, e.g. ``lr / (sqrt(v_hat) + eps)`` for Adam.

        ``state`` holds recorded arrays of shape ``(T, N, 2)``; ``lr`` broadcasts
        to ``(T, N, 1)``; ``step`` is ``(T, 1, 1)``. ``None`` when not adaptive.
        """
        return None

    def lookahead(self, params, state: dict, lr) -> tuple[np.ndarray, np.ndarray] | None:
        """The look-ahead of a method that takes its gradient ahead of its iterate, or ``None``.

        ``params`` ``(..., N, 2)`` are recorded points, ``state`` the recorded state at those points
        (same shapes), ``lr`` broadcasts to ``(..., N, 1)`` (the rate of the update that reached each
        point). Returns ``(origin, point)``, both like ``params``: ``origin`` is the lecture's iterate
        x_t and ``point`` the look-ahead x_t + rho v_t, where the gradient of the next update is taken.
        The base class has no look-ahead.
        """
        return None

    # --------------------------------------------------------------- helpers
    def bind(self, n_runs: int) -> None:
        """Check that per-run hyperparameters have one value per run."""
        for key, value in self.hyper.items():
            if isinstance(value, np.ndarray) and value.shape[0] not in (1, n_runs):
                raise ValueError(f"{self.label}: {key} has {value.shape[0]} values for {n_runs} runs")

    @property
    def lr(self):
        return self.hyper.get("lr", 1.0)

    def describe(self, with_defaults: bool = False) -> str:
        """A readable name, e.g. ``"Adam lr=0.01"``: the label and the non-default hyperparameters."""
        parts = []
        for param in self.schema:
            value = self.hyper[param.name]
            if isinstance(value, np.ndarray):
                parts.append(f"{param.name}=sweep")
            elif with_defaults or value != param.default:
                parts.append(f"{param.name}={value:g}" if isinstance(value, float) else f"{param.name}={value}")
        return " ".join([self.label] + parts)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.given.items())
        return f"optimizers.get({self.name!r}{', ' if args else ''}{args})"


class FirstOrder(Optimizer):
    """An optimizer that needs one gradient per step: ``step`` = one ``objective.grad`` + ``update``."""

    def step(self, params, state, objective, lr, active) -> None:
        self.update(params, objective.grad(params), state, lr)

    def update(self, params: np.ndarray, grad: np.ndarray, state: dict, lr) -> None:
        """Apply one update to ``params`` ``(N, 2)`` in place from ``grad`` ``(N, 2)``.

        ``grad`` is a buffer the caller reuses: an implementation may overwrite it.
        """
        raise NotImplementedError
