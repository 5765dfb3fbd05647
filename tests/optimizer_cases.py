"""The optimizer test registry: one record per optimizer, from which the tests are generated.

In the spirit of torch's ``optim_db`` (torch/testing/_internal/common_optimizers.py):
a test file never lists optimizers itself; it loops over ``CASES``. Adding an
optimizer means adding one :class:`OptimizerCase` here.

Record format (all fields plain data):

``name``
    the registry name, ``optimizers.get(name, **hyper)``.
``torch_class``
    the torch.optim class name it must agree with, or ``None`` when it has no
    torch counterpart (then ``torch_hypers`` must be empty).
``torch_hypers``
    hyperparameter sets (dicts, our names; ``betas=(b1, b2)`` is accepted) whose
    paths are compared with torch on every surface in ``SURFACES`` from every
    start in ``STARTS``. Cover the defaults (``{}``) and a non-default value for
    every hyperparameter.
``errors``
    ``(hyper, word)`` pairs: ``optimizers.get(name, **hyper)`` must raise
    ValueError whose message contains ``word`` (case-insensitive), normally
    the parameter's name.
``per_run``
    hyperparameter sets with per-run arrays (lists, one value per run), each
    run compared with torch built with that run's scalar values. Use these
    where a value changes torch's branch per row (momentum 0 vs > 0, ...).
``preset``
    defaults that differ from torch's constructor on purpose (presets such as
    ``momentum`` = SGD(momentum=0.9)).
``extras``
    schema names with no torch constructor argument (beyond torch), besides
    ``beta1``/``beta2`` (torch's ``betas``).
``steps``
    steps per torch comparison.

The values are chosen so that no run diverges or turns chaotic: torch's CPU
kernels use fused multiply-adds and NumPy does not, so paths differ by
rounding, and an unstable run (e.g. RMSProp at lr 0.01 bouncing in the
Rosenbrock valley) amplifies that to visible differences after ~100 steps.
``kind``
    ``"first_order"`` for FirstOrder optimizers; second-order records (lbfgs,
    newton) will use their own kind and tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["OptimizerCase", "CASES", "SURFACES", "STARTS", "case", "first_order_cases"]

# surface name -> starts (x, y) run as one batch and compared row by row with torch
SURFACES = ("rosenbrock", "ill_conditioned", "saddle")
STARTS = {
    "rosenbrock": ((-1.5, 2.0), (0.5, -0.5)),
    "ill_conditioned": ((-8.0, 1.5), (3.0, -2.0)),
    "saddle": ((1.0, 1e-3), (-0.7, 0.2)),
}


@dataclass(frozen=True)
class OptimizerCase:
    name: str
    torch_class: str | None
    torch_hypers: tuple = ({},)
    errors: tuple = ()
    per_run: tuple = ()
    preset: dict = field(default_factory=dict)
    extras: tuple = ()
    steps: int = 150
    kind: str = "first_order"

    def __str__(self) -> str:
        return self.name


_BAD_LR = ({"lr": -1e-3}, "lr")
_BAD_WD = ({"weight_decay": -0.1}, "weight_decay")
_BAD_EPS = ({"eps": -1e-8}, "eps")
_BAD_BETAS = (({"betas": (1.0, 0.999)}, "beta1"), ({"betas": (0.9, -0.1)}, "beta2"),
              ({"beta1": float("nan")}, "beta1"), ({"betas": 0.9}, "betas"))

_SGD_HYPERS = (
    {}, {"lr": 2e-4}, {"weight_decay": 0.5}, {"maximize": True, "lr": 1e-6},
    {"momentum": 0.9}, {"momentum": 0.5, "dampening": 0.3}, {"momentum": 0.9, "nesterov": True},
    {"momentum": 0.8, "nesterov": True, "weight_decay": 0.2},
)
_SGD_ERRORS = (
    _BAD_LR, _BAD_WD, ({"momentum": -0.5}, "momentum"), ({"dampening": 2.0}, "dampening"),
    ({"nesterov": True, "momentum": 0.0}, "nesterov"), ({"nesterov": True, "momentum": 0.9, "dampening": 0.1},
                                                        "nesterov"),
    ({"nesterov": "yes"}, "nesterov"), ({"lr": float("inf")}, "lr"), ({"lr": "0.1"}, "lr"),
)
_SGD_PER_RUN = (
    {"momentum": [0.0, 0.9, 0.5], "dampening": 0.4},       # momentum 0 rows ignore dampening in torch
    {"weight_decay": [0.0, 0.3, 1.0], "momentum": 0.9},
)

_ADAM_HYPERS = (
    {}, {"lr": 0.01}, {"betas": (0.5, 0.9)}, {"eps": 0.1}, {"eps": 1.0}, {"weight_decay": 0.3},
    {"amsgrad": True, "lr": 0.01}, {"maximize": True, "lr": 1e-4}, {"decoupled_weight_decay": True, "weight_decay": 0.3},
)
_ADAM_ERRORS = (_BAD_LR, _BAD_WD, _BAD_EPS, *_BAD_BETAS, ({"amsgrad": 1}, "amsgrad"))

CASES: tuple[OptimizerCase, ...] = (
    OptimizerCase(
        "sgd", "SGD", torch_hypers=_SGD_HYPERS, errors=_SGD_ERRORS, per_run=_SGD_PER_RUN),
    OptimizerCase(
        "momentum", "SGD", torch_hypers=({}, {"momentum": 0.5}, {"dampening": 0.5}, {"nesterov": True}),
        errors=_SGD_ERRORS, per_run=_SGD_PER_RUN, preset={"momentum": 0.9}),
    OptimizerCase(
        "nesterov", "SGD", torch_hypers=({}, {"momentum": 0.5}, {"weight_decay": 0.2}),
        errors=(_BAD_LR, ({"momentum": 0.0}, "nesterov"), ({"dampening": 0.5}, "nesterov")),
        per_run=({"momentum": [0.1, 0.9, 0.5]},), preset={"momentum": 0.9, "nesterov": True}),
    OptimizerCase(
        "adagrad", "Adagrad",
        torch_hypers=({}, {"lr": 0.1}, {"lr_decay": 0.05}, {"initial_accumulator_value": 0.5},
                      {"eps": 0.1}, {"eps": 1.0}, {"weight_decay": 0.3}, {"maximize": True, "lr": 1e-3}),
        errors=(_BAD_LR, _BAD_WD, _BAD_EPS, ({"lr_decay": -0.1}, "lr_decay"),
                ({"initial_accumulator_value": -1.0}, "initial_accumulator_value")),
        per_run=({"initial_accumulator_value": [0.0, 0.5, 2.0], "lr_decay": [0.0, 0.1, 0.01]},)),
    OptimizerCase(
        "rmsprop", "RMSprop",
        torch_hypers=({}, {"alpha": 0.9, "lr": 1e-3}, {"eps": 0.1}, {"eps": 1.0}, {"weight_decay": 0.3},
                      {"momentum": 0.9, "lr": 1e-3}, {"centered": True},
                      {"centered": True, "momentum": 0.5, "lr": 1e-3}, {"maximize": True, "lr": 1e-3}),
        errors=(_BAD_LR, _BAD_WD, _BAD_EPS, ({"alpha": -0.5}, "alpha"), ({"momentum": -0.9}, "momentum"),
                ({"centered": None}, "centered")),
        per_run=({"momentum": [0.0, 0.9, 0.5], "lr": 1e-3}, {"alpha": [0.5, 0.99, 0.9], "centered": True})),
    OptimizerCase(
        "adadelta", "Adadelta",
        torch_hypers=({}, {"lr": 0.1}, {"rho": 0.5}, {"eps": 0.1, "lr": 0.01}, {"eps": 1.0, "lr": 0.003}, {"weight_decay": 0.3},
                      {"maximize": True, "lr": 0.1}),
        errors=(_BAD_LR, _BAD_WD, _BAD_EPS, ({"rho": 1.5}, "rho"), ({"rho": -0.1}, "rho")),
        per_run=({"rho": [0.5, 0.9, 0.99]},)),
    OptimizerCase(
        "adam", "Adam", torch_hypers=_ADAM_HYPERS + ({"amsgrad": True, "eps": 0.1, "weight_decay": 0.1},),
        errors=_ADAM_ERRORS + (({"bias_correction": 0}, "bias_correction"),),
        per_run=({"beta1": [0.0, 0.9, 0.5], "beta2": [0.9, 0.999, 0.5]},),
        extras=("bias_correction",)),
    OptimizerCase(
        "adamw", "AdamW", torch_hypers=tuple(h for h in _ADAM_HYPERS if "decoupled_weight_decay" not in h)
        + ({"weight_decay": 0.0},), errors=_ADAM_ERRORS + (({"decoupled_weight_decay": False}, "decoupled"),),
        per_run=({"weight_decay": [0.0, 0.01, 0.5]},)),
    OptimizerCase(
        "adamax", "Adamax",
        torch_hypers=({}, {"lr": 0.02}, {"betas": (0.5, 0.9)}, {"eps": 0.1}, {"eps": 1.0},
                      {"weight_decay": 0.3}, {"maximize": True, "lr": 1e-4}),
        errors=(_BAD_LR, _BAD_WD, _BAD_EPS, *_BAD_BETAS),
        per_run=({"beta1": [0.0, 0.9, 0.5]},)),
    OptimizerCase(
        "nadam", "NAdam",
        torch_hypers=({}, {"lr": 0.02}, {"betas": (0.5, 0.9)}, {"eps": 0.1}, {"eps": 1.0},
                      {"weight_decay": 0.3}, {"momentum_decay": 0.0}, {"momentum_decay": 0.1},
                      {"decoupled_weight_decay": True, "weight_decay": 0.3}, {"maximize": True, "lr": 1e-4}),
        errors=(_BAD_LR, _BAD_WD, _BAD_EPS, *_BAD_BETAS, ({"momentum_decay": -1e-3}, "momentum_decay")),
        per_run=({"beta1": [0.5, 0.9, 0.0], "momentum_decay": [0.004, 0.1, 0.0]},)),
    OptimizerCase(
        "radam", "RAdam",
        torch_hypers=({}, {"lr": 0.01}, {"betas": (0.5, 0.9)}, {"betas": (0.9, 0.6)}, {"eps": 0.1},
                      {"eps": 1.0}, {"weight_decay": 0.3}, {"decoupled_weight_decay": True, "weight_decay": 0.3},
                      {"maximize": True, "lr": 1e-4}),
        errors=(_BAD_LR, _BAD_WD, _BAD_EPS, *_BAD_BETAS),
        # beta2 = 0.5 is never rectified, 0.9 after a few steps, 0.999 after 5: each row its own branch
        per_run=({"beta2": [0.5, 0.9, 0.999]},)),
    # ---- the rest of torch.optim 2.13 (ASGD, Rprop, Adafactor, Muon)
    OptimizerCase(
        # torch's default lr 0.01 makes plain SGD diverge from Rosenbrock's start, so the sets use lr 1e-3
        "asgd", "ASGD",
        torch_hypers=({"lr": 1e-3}, {"lr": 1e-3, "lambd": 0.5}, {"lr": 1e-3, "lambd": 0.05, "alpha": 0.5},
                      {"lr": 1e-3, "alpha": 2.0, "lambd": 0.1}, {"lr": 1e-3, "t0": 10.0}, {"lr": 1e-3, "t0": 0.0},
                      {"lr": 1e-3, "weight_decay": 0.3}, {"maximize": True, "lr": 1e-6}),
        errors=(_BAD_LR, _BAD_WD, ({"lambd": -1.0}, "lambd"), ({"alpha": -0.5}, "alpha"), ({"t0": -1.0}, "t0"),
                ({"maximize": "yes"}, "maximize")),
        # t0 = 1e6 copies x into ax, t0 = 0 averages from the start (torch's two branches; ax itself is compared
        # with torch in test_torch_optim_rest.py); lambd makes the paths differ
        per_run=({"t0": [1e6, 0.0, 20.0], "lambd": [1e-4, 0.1, 0.5], "lr": 1e-3},
                 {"lambd": [0.0, 0.1, 1.0], "alpha": [0.75, 0.5, 1.0], "lr": 1e-3},
                 {"weight_decay": [0.0, 0.3, 1.0], "lr": 1e-3})),
    OptimizerCase(
        "rprop", "Rprop",
        torch_hypers=({}, {"lr": 0.1}, {"etas": (0.3, 1.5)}, {"etaminus": 0.9}, {"etaplus": 2.0},
                      {"step_sizes": (1e-3, 0.05)}, {"step_size_min": 0.01}, {"maximize": True, "lr": 1e-4}),
        errors=(_BAD_LR, ({"etaminus": 1.5}, "etaminus"), ({"etaminus": 0.0}, "etaminus"),
                ({"etaplus": 0.9}, "etaplus"), ({"etas": (0.5,)}, "etas"), ({"etas": (0.5, 1.2), "etaplus": 2.0}, "etas"),
                ({"step_size_min": -1.0}, "step_size_min"), ({"step_sizes": (1.0, 0.1)}, "step_size_min"),
                ({"etaplus": float("nan")}, "etaplus")),
        per_run=({"etaminus": [0.5, 0.1, 0.9], "etaplus": [1.2, 1.05, 2.0]},
                 {"step_size_max": [50.0, 0.01, 0.1], "step_size_min": [1e-6, 1e-3, 0.05]})),
    OptimizerCase(
        "adafactor", "Adafactor",
        torch_hypers=({}, {"lr": 3e-3}, {"beta2_decay": -0.5}, {"beta2_decay": 0.0}, {"eps": (0.3, 1e-3)},
                      {"eps2": 1.0}, {"d": 5.0}, {"weight_decay": 0.3}, {"maximize": True, "lr": 1e-4}),
        errors=(_BAD_LR, _BAD_WD, ({"beta2_decay": 0.5}, "beta2_decay"), ({"eps": (-1.0, 1e-3)}, "eps1"),
                ({"eps2": -1e-3}, "eps2"), ({"d": 0.5}, "d"), ({"eps": 1e-3}, "eps")),
        per_run=({"eps2": [1e-3, 10.0, 0.1], "d": [1.0, 2.0, 10.0]},
                 {"weight_decay": [0.0, 0.3, 1.0], "beta2_decay": [-0.8, -0.3, 0.0]},
                 {"eps1": [1e-30, 30.0, 0.1]}),
        # Adafactor's relative step (1% of |x|) starts bouncing across Rosenbrock's valley near step 20; there a
        # last-bit difference (torch's fused multiply-add in norm and add_) grows 10x every 5 steps: 40 steps
        # keep the defaults below 1e-13 relative
        steps=40),
    OptimizerCase(
        "muon", "Muon",
        torch_hypers=({}, {"lr": 0.02}, {"weight_decay": 0.0}, {"weight_decay": 1.0, "lr": 0.01}, {"momentum": 0.5},
                      {"momentum": 0.0}, {"nesterov": False}, {"ns_coefficients": (1.5, -0.5, 0.0)},
                      {"ns_steps": 10}, {"ns_steps": 0, "lr": 1e-4}, {"eps": 1.0}, {"adjust_lr_fn": "original"},
                      {"adjust_lr_fn": "match_rms_adamw"}),
        errors=(_BAD_LR, _BAD_WD, ({"momentum": -0.5}, "momentum"), ({"ns_steps": 100}, "ns_steps"),
                ({"ns_steps": 2.5}, "ns_steps"), ({"adjust_lr_fn": "fast"}, "adjust_lr_fn"),
                ({"ns_coefficients": (1.0, 2.0)}, "ns_coefficients"), ({"nesterov": "yes"}, "nesterov"),
                ({"ns_a": float("inf")}, "ns_a")),
        per_run=({"momentum": [0.95, 0.0, 0.5], "weight_decay": [0.1, 0.0, 1.0]},
                 {"ns_a": [3.4445, 1.5, 2.0], "ns_b": [-4.775, -0.5, -1.5], "ns_c": [2.0315, 0.0, 0.5]},
                 {"eps": [1e-7, 100.0, 10.0], "lr": 0.01})),
)


def case(name: str) -> OptimizerCase:
    """The record of optimizer ``name``."""
    for record in CASES:
        if record.name == name:
            return record
    raise KeyError(name)


def first_order_cases() -> tuple[OptimizerCase, ...]:
    return tuple(c for c in CASES if c.kind == "first_order")
