"""The test registry of the optimizers beyond torch.optim: one record each, compared with its authors' package.

The same idea as tests/optimizer_cases.py (which holds the torch.optim
optimizers): a test file never lists optimizers itself; it loops over
``REFERENCE_CASES``. The references are pinned, test-only dependencies
(pyproject.toml, extra ``test``); a missing one fails the tests with a message
naming the package (tests/reference_oracle.py), it never skips.

Record format (all fields plain data):

``name``
    the registry name, ``optimizers.get(name, **hyper)``.
``reference``
    ``"module.Class"`` of the reference optimizer, e.g. ``"lion_pytorch.Lion"``.
``package``
    the pinned distribution that provides it, e.g. ``"lion-pytorch==0.2.5"``.
``hypers``
    hyperparameter sets (our names = the reference's; ``betas=(b1, b2)`` is
    accepted) whose paths are compared with the reference on every surface of
    ``SURFACES`` from every start of ``STARTS``. Together they give every
    hyperparameter a non-default value at least once.
``errors``
    ``(hyper, word)``: ``optimizers.get(name, **hyper)`` must raise ValueError
    whose message contains ``word`` (case-insensitive).
``per_run``
    sets with per-run arrays (lists, one value per run), each row compared
    with the reference built with that row's values; used where a value
    changes the reference's branch per row.
``protocol``
    how the reference is driven: ``"plain"`` (``opt.step(closure)``),
    ``"schedule_free"`` (``opt.train()`` first; the path is the eval point x),
    ``"sam"`` (gradient at x before ``opt.step(closure)``; the closure's second
    call is at the probe).
``compare_state``
    our recorded state keys also compared with the reference's, step by step.
``fixed``
    reference arguments always passed (``print_change_log=False``), or for
    SAM the base optimizer as ``"torch.optim.SGD"``.
``signature``
    the classes whose constructor arguments make up our schema (SAM: its own
    and its base optimizer's).
``not_exposed``
    reference constructor arguments with no schema entry, each for a stated
    reason in the optimizer's docstring (``foreach``, ``use_triton``, ...).
``spelled``
    our schema default -> the reference's default where the schema cannot hold
    the reference's value (``growth_rate``: None stands for inf).
``surfaces``
    the surfaces of the comparisons (default: all of ``SURFACES``).
``steps``
    steps per comparison.

The values keep every run finite and away from chaotic regimes (see
tests/optimizer_cases.py: torch's fused multiply-adds differ from NumPy in the
last bits, and an unstable run amplifies that).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from optimizer_cases import SURFACES

__all__ = ["ReferenceCase", "REFERENCE_CASES", "NOT_ADAPTIVE", "reference_case"]


@dataclass(frozen=True)
class ReferenceCase:
    name: str
    reference: str
    package: str
    hypers: tuple = ({},)
    errors: tuple = ()
    per_run: tuple = ()
    protocol: str = "plain"
    compare_state: tuple = ()
    fixed: dict = field(default_factory=dict)
    signature: tuple = ()
    not_exposed: tuple = ()
    spelled: dict = field(default_factory=dict)
    surfaces: tuple = SURFACES
    steps: int = 150

    def __str__(self) -> str:
        return self.name


_BAD_LR = ({"lr": -1e-3}, "lr")
_BAD_WD = ({"weight_decay": -0.1}, "weight_decay")
_BAD_BETAS = (({"betas": (1.0, 0.999)}, "beta1"), ({"betas": (0.9, -0.1)}, "beta2"),
              ({"beta1": float("nan")}, "beta1"), ({"betas": 0.9}, "betas"))
_SCHEDULE_FREE_ERRORS = (
    _BAD_LR, _BAD_WD, ({"warmup_steps": -1}, "warmup_steps"), ({"warmup_steps": 2.5}, "warmup_steps"),
    ({"r": -1.0}, "r"), ({"weight_lr_power": -2.0}, "weight_lr_power"),
)

REFERENCE_CASES: tuple[ReferenceCase, ...] = (
    ReferenceCase(
        "lion", "lion_pytorch.Lion", "lion-pytorch==0.2.5",
        hypers=({}, {"lr": 1e-3}, {"betas": (0.5, 0.9)}, {"beta1": 0.0}, {"beta2": 1.0, "lr": 3e-4},
                {"weight_decay": 0.5}, {"weight_decay": 0.01, "decoupled_weight_decay": True, "lr": 1e-3}),
        errors=(({"lr": 0.0}, "lr"), _BAD_LR, _BAD_WD, ({"beta1": 1.5}, "beta1"), ({"betas": (0.9, -0.1)}, "beta2"),
                ({"betas": 0.9}, "betas"), ({"decoupled_weight_decay": "yes"}, "decoupled_weight_decay")),
        # beta1 0 (the step is the gradient's sign) and beta2 1 (m never moves) next to ordinary rows; a per-run
        # lr with decoupled decay: the decay divides by each row's own initial lr
        per_run=({"beta1": [0.0, 0.9, 0.5], "beta2": [0.99, 1.0, 0.5], "lr": [0.01, 0.03, 0.02]},
                 {"lr": [1e-4, 1e-3, 3e-3], "weight_decay": 0.01, "decoupled_weight_decay": True}),
        compare_state=("exp_avg",),
        signature=("lion_pytorch.Lion",), not_exposed=("use_triton",)),
    ReferenceCase(
        "sgd_schedulefree", "schedulefree.SGDScheduleFree", "schedulefree==1.4.1",
        # the default lr 1.0 diverges on every test surface but the bowl: each set has a small lr
        hypers=({"lr": 1e-3}, {"lr": 1e-3, "momentum": 0.5}, {"lr": 1e-3, "momentum": 0.3},
                {"lr": 1e-3, "weight_decay": 0.3}, {"lr": 1e-3, "warmup_steps": 20},
                {"lr": 1e-3, "r": 1.0}, {"lr": 2e-3, "warmup_steps": 10, "weight_lr_power": 0.0}),
        errors=_SCHEDULE_FREE_ERRORS + (({"momentum": 0.0}, "momentum"), ({"momentum": 1.0}, "momentum")),
        # momentum 0.3 takes lerp's other branch in eval(); warm-up lengths and weightings per row
        per_run=({"lr": [1e-3, 5e-4, 2e-3], "momentum": [0.9, 0.3, 0.5]},
                 {"lr": 1e-3, "warmup_steps": [0, 10, 50], "r": [0.0, 1.0, 2.0]}),
        protocol="schedule_free", compare_state=("y", "z"),
        signature=("schedulefree.SGDScheduleFree",), not_exposed=("foreach",)),
    ReferenceCase(
        "adamw_schedulefree", "schedulefree.AdamWScheduleFree", "schedulefree==1.4.1",
        hypers=({}, {"lr": 0.01}, {"betas": (0.5, 0.9)}, {"eps": 0.1}, {"weight_decay": 0.3},
                {"warmup_steps": 20}, {"r": 1.0, "weight_lr_power": 1.0},
                {"warmup_steps": 10, "weight_lr_power": 0.0}),
        errors=_SCHEDULE_FREE_ERRORS + (({"beta1": 0.0}, "beta1"), ({"betas": (0.9, 1.0)}, "beta2"),
                                        ({"eps": -1e-8}, "eps")),
        per_run=({"beta1": [0.9, 0.3, 0.5], "beta2": [0.999, 0.9, 0.5]},
                 {"warmup_steps": [0, 5, 20], "weight_lr_power": [2.0, 0.0, 1.0]}),
        protocol="schedule_free", compare_state=("y", "z", "exp_avg_sq"),
        signature=("schedulefree.AdamWScheduleFree",), not_exposed=("foreach",)),
    ReferenceCase(
        "adabelief", "adabelief_pytorch.AdaBelief", "adabelief-pytorch==0.2.1",
        hypers=({}, {"lr": 0.01}, {"betas": (0.5, 0.99)}, {"betas": (0.9, 0.6)}, {"eps": 1e-8}, {"eps": 0.1},
                {"weight_decay": 0.3}, {"weight_decay": 0.3, "weight_decouple": False},
                {"weight_decay": 0.01, "fixed_decay": True}, {"rectify": False},
                {"rectify": False, "amsgrad": True, "lr": 0.01}, {"amsgrad": True},
                {"degenerated_to_sgd": False}),
        errors=(_BAD_LR, _BAD_WD, ({"eps": -1e-16}, "eps"), *_BAD_BETAS, ({"amsgrad": 1}, "amsgrad"),
                ({"rectify": None}, "rectify")),
        # beta2 0.5 is never rectified, 0.6 has rho_inf = 4 (never), 0.999 after 5 steps
        per_run=({"beta2": [0.5, 0.999, 0.6]}, {"beta2": [0.5, 0.999, 0.6], "degenerated_to_sgd": False},
                 {"beta1": [0.3, 0.9, 0.5], "weight_decay": [0.0, 0.1, 0.5]}),
        compare_state=("exp_avg", "exp_avg_var"), fixed={"print_change_log": False},
        signature=("adabelief_pytorch.AdaBelief",), not_exposed=("print_change_log",)),
    ReferenceCase(
        "prodigy", "prodigyopt.Prodigy", "prodigyopt==1.1.2",
        hypers=({}, {"lr": 0.5}, {"betas": (0.5, 0.999)}, {"betas": (0.9, 0.9999)}, {"beta1": 0.0}, {"beta3": 0.99}, {"eps": 1e-3},
                {"weight_decay": 0.1}, {"weight_decay": 0.1, "decouple": False}, {"use_bias_correction": True},
                {"safeguard_warmup": True}, {"d0": 1e-3}, {"d_coef": 0.5}, {"growth_rate": 1.02},
                {"growth_rate": math.inf, "beta3": None}),
        errors=(({"lr": 0.0}, "lr"), _BAD_WD, ({"eps": 0.0}, "eps"), *_BAD_BETAS, ({"beta3": 1.5}, "beta3"),
                ({"d0": 0.0}, "d0"), ({"d_coef": -1.0}, "d_coef"), ({"growth_rate": 0.5}, "growth_rate"),
                ({"decouple": 0}, "decouple")),
        per_run=({"beta1": [0.0, 0.9, 0.5]}, {"d0": [1e-6, 1e-3, 1e-6], "d_coef": [1.0, 0.5, 0.5]},
                 {"growth_rate": [1.02, 1.5, 10.0], "use_bias_correction": True, "beta2": [0.999, 0.99, 0.99]}),
        compare_state=("d", "exp_avg", "exp_avg_sq", "s"),
        signature=("prodigyopt.Prodigy",), not_exposed=("fsdp_in_use", "slice_p"),
        spelled={"growth_rate": math.inf},
        # the saddle is unbounded below: as d grows, every run passes the divergence bound within ~35 steps
        surfaces=("rosenbrock", "ill_conditioned")),
    ReferenceCase(
        "sam", "pytorch_optimizer.SAM", "pytorch-optimizer==4.1.0",
        hypers=({}, {"lr": 1e-4}, {"rho": 0.2, "lr": 1e-4}, {"adaptive": True}, {"adaptive": True, "rho": 0.1, "lr": 1e-4},
                {"perturb_eps": 0.1, "lr": 3e-4}, {"momentum": 0.8, "lr": 1e-4}, {"momentum": 0.5, "dampening": 0.3},
                {"momentum": 0.9, "nesterov": True, "lr": 1e-4}, {"weight_decay": 0.5}, {"maximize": True, "lr": 1e-6}),
        errors=(_BAD_LR, _BAD_WD, ({"rho": -0.05}, "rho"), ({"perturb_eps": -1.0}, "perturb_eps"),
                ({"adaptive": "no"}, "adaptive"), ({"nesterov": True}, "nesterov")),
        per_run=({"rho": [0.0, 0.05, 0.5]}, {"momentum": [0.0, 0.9, 0.5], "dampening": 0.2, "lr": 1e-4}),
        protocol="sam", compare_state=("probe", "momentum_buffer"), fixed={"base_optimizer": "torch.optim.SGD"},
        signature=("pytorch_optimizer.SAM", "torch.optim.SGD"), not_exposed=("use_gc", "foreach")),
)


# No per-axis effective learning rate (effective_lr is None): Lion's steps are signs, exactly lr per
# coordinate; Schedule-Free SGD and SAM take plain SGD steps (the generic tests skip them there).
NOT_ADAPTIVE = ("lion", "sgd_schedulefree", "sam")


def reference_case(name: str) -> ReferenceCase:
    """The record of optimizer ``name``."""
    for record in REFERENCE_CASES:
        if record.name == name:
            return record
    raise KeyError(name)
