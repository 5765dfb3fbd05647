"""The authors' packages as the oracle for the optimizers beyond torch.optim (records: tests/reference_cases.py).

As tests/torch_reference.py does for torch.optim: float64, one thread, and
the gradient the reference sees is the landscape's exact gradient set on
``p.grad`` by the closure, so any difference between paths comes from the
optimizers' arithmetic alone. Hyperparameters go to the reference through
``torch_reference.torch_kwargs`` (our names are the reference's; ``betas`` as
a tuple), and paths are compared with ``torch_reference.assert_paths_close``.

A reference package that is not installed fails the test that needs it with
``pytest.fail`` naming the pinned package: a missing oracle never skips.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from torch_reference import torch_kwargs

MISSING: dict[str, ImportError] = {}
MODULES: dict[str, object] = {"torch.optim": torch.optim}

# Explicit imports, one per reference (no import by computed name anywhere in this project).
try:
    import lion_pytorch
    MODULES["lion_pytorch"] = lion_pytorch
except ImportError as error:             # reported by reference_class, with the package to install
    MISSING["lion_pytorch"] = error
try:
    import schedulefree
    MODULES["schedulefree"] = schedulefree
except ImportError as error:
    MISSING["schedulefree"] = error
try:
    import adabelief_pytorch
    MODULES["adabelief_pytorch"] = adabelief_pytorch
except ImportError as error:
    MISSING["adabelief_pytorch"] = error
try:
    import prodigyopt
    MODULES["prodigyopt"] = prodigyopt
except ImportError as error:
    MISSING["prodigyopt"] = error
try:
    import pytorch_optimizer
    MODULES["pytorch_optimizer"] = pytorch_optimizer
except ImportError as error:
    MISSING["pytorch_optimizer"] = error


def resolve(dotted: str, package: str = ""):
    """``"module.Class"`` -> the class; a missing module fails the test, naming the package to install."""
    module_name, _, attribute = dotted.rpartition(".")
    if module_name in MISSING or module_name not in MODULES:
        pytest.fail(f"reference package {package or module_name!r} is not installed "
                    f"({MISSING.get(module_name, 'unknown module ' + module_name)}); "
                    f"install the test dependencies: pip install -e '.[test]'", pytrace=False)
    return getattr(MODULES[module_name], attribute)


def reference_class(case):
    return resolve(case.reference, case.package)


def reference_kwargs(case, optimizer) -> dict:
    """Our validated hyperparameters -> the reference's constructor arguments."""
    kwargs = torch_kwargs(optimizer)
    for key, value in kwargs.items():
        if value is None and key in case.spelled:
            kwargs[key] = case.spelled[key]          # e.g. growth_rate None -> inf
        elif isinstance(value, np.ndarray):
            raise TypeError(f"{key}: per-run arrays go to the reference one row at a time")
    for key, value in case.fixed.items():
        kwargs[key] = resolve(value) if key == "base_optimizer" else value
    return kwargs


def _state_value(opt, p, key: str, probe) -> np.ndarray:
    if key == "y":
        return p.detach().numpy().copy()
    if key == "probe":
        return probe.copy()
    if key == "d":
        return np.full(2, opt.param_groups[0]["d"])
    value = opt.state[p].get(key)
    return np.zeros(2) if value is None else value.detach().numpy().copy()


def reference_run(case, landscape, optimizer, start, steps: int, scheduler_factory=None) -> dict:
    """The reference's ``path`` ``(steps+1, 2)`` and each of ``case.compare_state`` ``(steps+1, 2)``.

    ``path`` is what our engine records as the path: the parameter, except for
    Schedule-Free, whose path is the eval point x = lerp(y, z, 1 - 1/beta)
    (what ``opt.eval()`` writes into the parameter; computed on a copy, so the
    training sequence is not disturbed).
    """
    p = torch.tensor(np.asarray(start, dtype=np.float64), requires_grad=True)
    opt = reference_class(case)([p], **reference_kwargs(case, optimizer))
    scheduler = scheduler_factory(opt) if scheduler_factory else None
    probe = np.asarray(start, dtype=np.float64).copy()
    calls = []

    def closure():
        opt.zero_grad()
        xy = p.detach().numpy().copy()
        calls.append(xy)
        p.grad = torch.from_numpy(landscape.grad(xy))
        return torch.tensor(float(landscape.value(xy)), dtype=torch.float64)

    if case.protocol == "schedule_free":
        opt.train()
        beta = optimizer.hyper.get("momentum", optimizer.hyper.get("beta1"))

    def model_point() -> np.ndarray:
        if case.protocol != "schedule_free" or "z" not in opt.state[p]:
            return p.detach().numpy().copy()
        return p.detach().clone().lerp_(opt.state[p]["z"], 1 - 1 / beta).numpy()

    path = [model_point()]
    states = {key: [np.asarray(start, dtype=np.float64).copy() if key in ("y", "z", "probe")
                    else _state_value(opt, p, key, probe) if key == "d" else np.zeros(2)]
              for key in case.compare_state}
    for _ in range(steps):
        if case.protocol == "sam":
            closure()                          # the gradient at x, before step (the reference's contract)
            calls.clear()
            opt.step(closure)                  # first_step, closure at the probe, restore, SGD step
            probe = calls[0]
        else:
            opt.step(closure)
        if scheduler is not None:
            scheduler.step()
        path.append(model_point())
        for key in case.compare_state:
            states[key].append(_state_value(opt, p, key, probe))
    return {"path": np.array(path), **{key: np.array(values) for key, values in states.items()}}


