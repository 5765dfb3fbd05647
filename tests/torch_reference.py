"""torch.optim as the oracle: run the real torch optimizer on a landscape.

The gradient torch sees is the landscape's exact gradient (set on ``p.grad`` by
the closure), so any difference between paths comes from the optimizer's
arithmetic alone. float64 throughout, one thread.
"""
from __future__ import annotations

import numpy as np
import torch

torch.set_num_threads(1)

# our name -> (torch class name, fixed keyword arguments)
TORCH_CLASS = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {}),
    "nesterov": ("SGD", {}),
    "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}),
    "adadelta": ("Adadelta", {}),
    "adam": ("Adam", {}),
    "adamw": ("AdamW", {}),
    "adamax": ("Adamax", {}),
    "nadam": ("NAdam", {}),
    "radam": ("RAdam", {}),
    "lbfgs": ("LBFGS", {}),
    "asgd": ("ASGD", {}),
    "rprop": ("Rprop", {}),
    "adafactor": ("Adafactor", {}),
    "muon": ("Muon", {}),
}

# torch's parameter shape where it is not the vector (2,): Muon takes only matrices
TORCH_SHAPE = {"muon": (1, 2)}

BEYOND_TORCH = {"bias_correction"}


def torch_kwargs(optimizer) -> dict:
    """Our validated hyperparameters -> torch's constructor arguments (betas as a tuple)."""
    kwargs = {}
    hyper = {p.name: optimizer.hyper[p.name] for p in optimizer.schema}
    for torch_arg, parts in optimizer.torch_tuples.items():     # betas=(beta1, beta2), etas=(...), ...
        if parts[0] in hyper:
            kwargs[torch_arg] = tuple(None if hyper[p] is None else float(hyper[p]) for p in parts)
            for part in parts:
                del hyper[part]
    for key, value in hyper.items():
        if key in BEYOND_TORCH:
            assert value is True, f"{key}={value} has no torch counterpart"
            continue
        kwargs[key] = value
    return kwargs


def torch_path(landscape, optimizer, start, steps: int, scheduler_factory=None) -> np.ndarray:
    """``(steps+1, 2)`` positions of torch.optim's version of ``optimizer`` from ``start``.

    ``scheduler_factory(torch_optimizer)`` builds an lr_scheduler stepped after each step.
    """
    class_name, fixed = TORCH_CLASS[optimizer.name]
    shape = TORCH_SHAPE.get(optimizer.name, (2,))
    p = torch.tensor(np.asarray(start, dtype=np.float64).reshape(shape), requires_grad=True)
    opt = getattr(torch.optim, class_name)([p], **fixed, **torch_kwargs(optimizer))
    scheduler = scheduler_factory(opt) if scheduler_factory else None
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)

    def point():
        return p.detach().numpy().reshape(2).copy()

    def closure():
        opt.zero_grad()
        xy = point()
        p.grad = torch.from_numpy(landscape.grad(xy).reshape(shape))
        return torch.tensor(float(landscape.value(xy)), dtype=torch.float64)

    path = [point()]
    for _ in range(steps):
        opt.step(closure)
        if plateau:
            scheduler.step(float(landscape.value(point())))    # the loss at the new point, as optiscape's loop
        elif scheduler is not None:
            scheduler.step()
        path.append(point())
    return np.array(path)


def assert_paths_close(ours: np.ndarray, theirs: np.ndarray, rtol: float = 1e-9, atol: float = 1e-12) -> None:
    """Relative agreement to ``rtol`` (float64), with a tiny absolute floor for values near 0."""
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)
