"""Copy as PyTorch: one optiscape run as a runnable, readable torch script.

:func:`torch_snippet` takes one run the way the page holds it (surface name and
parameters or a custom formula, optimizer name and hyperparameters, schedule,
gradient noise sigma and seed, start, steps) and returns Python source that
uses torch to reproduce optiscape's path:

* the surface ``f(x, y)`` as a torch expression (every built-in surface; a
  custom formula is translated node by node from :func:`landscapes.formula.parse`'s
  tree, so user text never reaches the snippet: only numbers the parser read,
  written back with ``repr``, and the grammar's own function names);
* the gradient by autograd, plus optiscape's gradient noise
  ``g + sigma * z(seed, k)`` where ``z`` is the same counter-based generator as
  :mod:`optimizers.noise` (SplitMix64 and Box-Muller, written out in NumPy) and
  ``k`` counts gradient evaluations, so noisy paths reproduce too;
* the optimizer with every hyperparameter by torch's name (``betas=(b1, b2)``);
  the optimizers beyond torch by their reference package's class and names
  (``Optimizer.reference``), with the protocol each needs (L-BFGS: a closure;
  SAM: the gradient at x before ``step(closure)``; Schedule-Free: ``train()`` and the
  eval point ``x = lerp(y, z, 1 - 1/beta)`` as the path);
* Newton (no torch class): an explicit step on ``torch.autograd.functional.hessian``,
  with optiscape's eigenvalue floor and trust-region cap;
* the schedule as its ``torch.optim.lr_scheduler`` class (``LambdaLR`` for the 1/t decay,
  ``SequentialLR`` for warm-up then cosine, ``ReduceLROnPlateau`` stepped with the loss
  at the new point, as optiscape's loop does);
* the loop, which stops a run as optiscape does (non-finite or beyond 1e6 in a coordinate).

This module never imports torch: it only writes text. Every input is validated by
the engine's own constructors first (``landscapes.get``, ``optimizers.get``,
``schedules.get``), so a bad value raises their ValueError naming the parameter.
What torch cannot express raises ValueError too (Adam with ``bias_correction=False``).
"""
from __future__ import annotations

import math

import numpy as np

import landscapes
from landscapes.formula import VARIABLES, fold_constants, parse, postorder
from landscapes.multimodal import ACKLEY_A, ACKLEY_K, GLOBAL_WELL, LOCAL_WELLS, WALL_RADIUS, \
    WALL_SLOPE, WALL_SOFTNESS
from optimizers import schedules as schedules_module
from optimizers.base import get as get_optimizer
from optimizers.loop import DEFAULT_BOUND, as_seeds, as_starts

__all__ = ["torch_snippet", "surface_expression", "formula_expression", "optimizer_constructor"]


# ------------------------------------------------------------------ surfaces
def _num(value) -> str:
    """A float written back exactly (``repr`` round-trips a double); inf/nan spelled as floats."""
    value = float(value)
    if math.isnan(value):
        return 'float("nan")'
    if math.isinf(value):
        return 'float("inf")' if value > 0 else '(-float("inf"))'
    text = repr(value)
    return f"({text})" if value < 0 else text


def _local_minima(depth: float) -> list[str]:
    wells = (GLOBAL_WELL,) + tuple((c, d * depth, s) for c, d, s in LOCAL_WELLS)
    R2, s, b = WALL_RADIUS ** 2, WALL_SOFTNESS, WALL_SLOPE
    lines = [f"t = (x * x + y * y - {_num(R2)}) / {_num(s)}",
             f"total = {_num(b * s)} * torch.logaddexp(torch.zeros_like(t), t)   # the soft wall"]
    for (cx, cy), d, sig in wells:
        lines.append(f"total = total - {_num(d)} * torch.exp(-((x - {_num(cx)}) ** 2 + (y - {_num(cy)}) ** 2)"
                     f" / {_num(2 * sig * sig)})")
    return lines + ["return total"]


def _ill_conditioned(kappa: float, angle: float) -> list[str]:
    # H = R diag(1, kappa) R^T, constant: the surface's own Hessian at the origin
    (hxx, hxy), (_, hyy) = landscapes.get("ill_conditioned", kappa=kappa, angle=angle).hessian(np.zeros(2))
    return [f"return 0.5 * ({_num(hxx)} * x * x + 2.0 * {_num(hxy)} * x * y + {_num(hyy)} * y * y)"]


# surface name -> (its parameters) -> the body of f(x, y) as lines of torch code
_SURFACES = {
    "quadratic_bowl": lambda: ["return 0.5 * (x * x + y * y)"],
    "saddle": lambda: ["return x * x - y * y"],
    "ill_conditioned": _ill_conditioned,
    "rosenbrock": lambda: ["r = y - x * x", "return (1.0 - x) ** 2 + 100.0 * r * r"],
    "monkey_saddle": lambda: ["return x ** 3 - 3.0 * x * y * y"],
    "beale": lambda: ["r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3",
                      "return r1 * r1 + r2 * r2 + r3 * r3"],
    "himmelblau": lambda: ["a, b = x * x + y - 11.0, x + y * y - 7.0", "return a * a + b * b"],
    "six_hump_camel": lambda: ["x2, y2 = x * x, y * y",
                               "return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2"],
    "styblinski_tang": lambda: ["return 0.5 * (x ** 4 - 16.0 * x * x + 5.0 * x) + 0.5 * (y ** 4 - 16.0 * y * y + 5.0 * y)"],
    "rastrigin": lambda A: [f"return 2.0 * {_num(A)} + x * x + y * y - {_num(A)} * "
                            f"(torch.cos(2 * math.pi * x) + torch.cos(2 * math.pi * y))"],
    "ackley": lambda: ["rho = torch.hypot(x, y)",
                       "ripples = torch.exp(0.5 * (torch.cos(2 * math.pi * x) + torch.cos(2 * math.pi * y)))",
                       f"return {_num(ACKLEY_A)} * -torch.expm1({_num(-ACKLEY_K)} * rho) + (math.e - ripples)"],
    "local_minima": _local_minima,
    "custom": lambda formula: [f"return {formula_expression(formula)}"],
}

# the grammar's functions (landscapes.formula.FUNCTIONS) in torch; helpers where torch has none
_TORCH_FUNCTIONS = {
    "sin": "torch.sin", "cos": "torch.cos", "tan": "torch.tan", "asin": "torch.asin", "acos": "torch.acos",
    "atan": "torch.atan", "sinh": "torch.sinh", "cosh": "torch.cosh", "tanh": "torch.tanh", "exp": "torch.exp",
    "log": "torch.log", "log10": "torch.log10", "log2": "torch.log2", "sqrt": "torch.sqrt", "cbrt": "cbrt",
    "abs": "torch.abs", "sigmoid": "torch.sigmoid", "softplus": "softplus", "relu": "torch.relu",
}
_HELPERS = {
    "cbrt": ["def cbrt(t):", "    return torch.sign(t) * torch.abs(t) ** (1.0 / 3.0)   # torch has no cbrt"],
    "softplus": ["def softplus(t):", "    return torch.logaddexp(torch.zeros_like(t), t)   # log(1 + e^t), no threshold"],
}
_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def formula_expression(text: str) -> str:
    """A custom formula as a torch expression in ``x`` and ``y``, built from the parse tree.

    The text goes through :func:`landscapes.formula.parse` (a ``FormulaError``, a
    ValueError, for anything outside the grammar) and constant folding; the
    expression holds only numbers (``repr`` of the parsed doubles), ``x``, ``y``,
    operators and the torch functions of the grammar. Fully parenthesized.
    """
    root = fold_constants(parse(text))
    written: dict[int, str] = {}
    for node in postorder(root):
        args = [written[id(child)] for child in node.children]
        if node.kind == "number":
            out = _num(node.value)
        elif node.kind == "name":
            if node.text not in VARIABLES:      # constants are folded to numbers
                raise ValueError(f"formula: unexpected name {node.text!r}")
            out = node.text
        elif node.kind == "neg":
            out = f"(-{args[0]})"
        elif node.kind in _OPERATORS:
            out = f"({args[0]} {_OPERATORS[node.kind]} {args[1]})"
        elif node.kind == "call":
            out = f"{_TORCH_FUNCTIONS[node.text]}({args[0]})"
        else:
            raise ValueError(f"formula: unexpected node {node.kind!r}")
        written[id(node)] = out
    expression = written[id(root)]
    if not any(n.kind == "name" for n in postorder(root)):
        expression = f"({expression} + 0.0 * x)"                # a constant still needs a graph
    return expression


def surface_expression(name: str, params: dict | None = None) -> list[str]:
    """The helper functions and ``def f(x, y):`` of surface ``name`` with ``params`` (validated), as lines."""
    params = dict(params or {})
    surface = landscapes.get(name, **params)                 # validates, names a bad parameter
    if name not in _SURFACES:
        raise ValueError(f"surface {name!r} has no torch expression yet")
    own = {k: v for k, v in surface.params.items() if k != "l2"}
    body = _SURFACES[name](**own)
    lam = float(surface.params.get("l2", 0.0))
    if lam:
        body = body[:-1] + [body[-1].replace("return ", "loss = ", 1),
                            f"return loss + 0.5 * {_num(lam)} * (x * x + y * y)   # the L2 term"]
    helpers = []
    text = "\n".join(body)
    for helper, lines in _HELPERS.items():
        if f"{helper}(" in text.replace(f"torch.{helper}(", ""):
            helpers += lines + [""]
    formula = " ".join(surface.formula.splitlines())      # one comment line
    return helpers + [f"# {surface.label}: {formula}", "def f(x, y):"] + ["    " + line for line in body]


# ---------------------------------------------------------------- optimizers
def _value(value) -> str:
    if isinstance(value, (bool, np.bool_)) or value is None:
        return repr(None if value is None else bool(value))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if math.isfinite(value) else _num(value)   # an argument: no parentheses
    if isinstance(value, str):
        return repr(value)
    raise ValueError(f"cannot write {value!r} into a snippet")


def _optimizer_kwargs(optimizer) -> dict:
    """Validated hyperparameters -> the torch (or reference) constructor's keyword arguments, as source."""
    hyper = {p.name: optimizer.hyper[p.name] for p in optimizer.schema}
    for key, value in hyper.items():
        if isinstance(value, np.ndarray):
            raise ValueError(f"{optimizer.label}: {key} holds one value per run; a snippet is one run")
    if optimizer.name in ("adam",) and hyper.pop("bias_correction") is not True:
        raise ValueError("adam: bias_correction=False has no torch counterpart (torch.optim.Adam always corrects)")
    tuples = {parts[0]: (torch_arg, parts) for torch_arg, parts in optimizer.torch_tuples.items()
              if parts[0] in hyper}                  # betas=(beta1, beta2), etas=(...), ... in the first part's place
    spelled = {"growth_rate": 'float("inf")'} if optimizer.name == "prodigy" else {}   # the reference's "no limit"
    kwargs, parts_done = {}, set()
    for key, value in hyper.items():
        if key in tuples:
            torch_arg, parts = tuples[key]
            kwargs[torch_arg] = "(" + ", ".join(_value(hyper[part]) for part in parts) + ")"
            parts_done.update(parts)
        elif key not in parts_done:
            kwargs[key] = spelled[key] if value is None and key in spelled else _value(value)
    if optimizer.name == "adabelief":
        kwargs["print_change_log"] = "False"
    if optimizer.name == "sam":
        kwargs = {"base_optimizer": "torch.optim.SGD", **kwargs}
    return kwargs


def optimizer_constructor(optimizer) -> tuple[list[str], str]:
    """The import lines and the constructor call (``opt = ...``) for a built optimizer, or ([], "") for Newton."""
    if optimizer.name == "newton":
        return [], ""
    kwargs = ", ".join(f"{k}={v}" for k, v in _optimizer_kwargs(optimizer).items())
    if optimizer.torch_name:
        return [], f"opt = torch.optim.{optimizer.torch_name}([p], {kwargs})"
    reference = getattr(optimizer, "reference", "")            # "package version: module.Class(...)"
    package, _, dotted = reference.partition(": ")
    dotted = dotted.split("(")[0]
    module, _, cls = dotted.rpartition(".")
    return ([f"import {module}   # pip install {package.replace(' ', '==')}"],
            f"opt = {module}.{cls}([p], {kwargs})")


# ----------------------------------------------------------------- schedules
def _scheduler(schedule, steps: int) -> str:
    """``scheduler = torch.optim.lr_scheduler.X(opt, ...)`` for ``schedule``, or "" for a constant rate."""
    p = {k: _value(v) for k, v in schedule.params.items()}
    LR = "torch.optim.lr_scheduler"
    name = schedule.name
    if name == "constant":
        return ""
    if name == "step":
        return f"{LR}.StepLR(opt, step_size={p['step_size']}, gamma={p['gamma']})"
    if name == "exponential":
        return f"{LR}.ExponentialLR(opt, gamma={p['gamma']})"
    if name == "inverse_time":
        return f"{LR}.LambdaLR(opt, lr_lambda=lambda e: 1.0 / (1.0 + {p['decay']} * e))   # 1/t decay"
    if name == "cosine":
        return f"{LR}.CosineAnnealingLR(opt, T_max={p['T_max']}, eta_min={p['eta_min']})"
    if name == "cyclic":
        return (f"{LR}.CyclicLR(opt, base_lr=opt.param_groups[0]['lr'], max_lr={p['max_lr']}, "
                f"step_size_up={p['step_size_up']}, step_size_down={p['step_size_down']}, mode='triangular', "
                f"cycle_momentum=False)")
    if name == "warmup":
        return (f"{LR}.LinearLR(opt, start_factor={p['start_factor']}, end_factor={p['end_factor']}, "
                f"total_iters={p['total_iters']})")
    if name == "multistep":
        return f"{LR}.MultiStepLR(opt, milestones={list(schedule.milestones)!r}, gamma={p['gamma']})"
    if name == "constant_factor":
        return f"{LR}.ConstantLR(opt, factor={p['factor']}, total_iters={p['total_iters']})"
    if name == "polynomial":
        return f"{LR}.PolynomialLR(opt, total_iters={p['total_iters']}, power={p['power']})"
    if name == "cosine_restarts":
        return f"{LR}.CosineAnnealingWarmRestarts(opt, T_0={p['T_0']}, T_mult={p['T_mult']}, eta_min={p['eta_min']})"
    if name == "one_cycle":
        total = p["total_steps"] if schedule.params["total_steps"] is not None else repr(max(int(steps), 1))
        return (f"{LR}.OneCycleLR(opt, max_lr=opt.param_groups[0]['lr'], total_steps={total}, "
                f"pct_start={p['pct_start']}, anneal_strategy={p['anneal_strategy']}, div_factor={p['div_factor']}, "
                f"final_div_factor={p['final_div_factor']}, three_phase={p['three_phase']}, cycle_momentum=False)")
    if name == "warmup_cosine":
        return (f"{LR}.SequentialLR(opt, [{LR}.LinearLR(opt, start_factor={p['start_factor']}, end_factor=1.0, "
                f"total_iters={p['warmup_iters']}), {LR}.CosineAnnealingLR(opt, T_max={p['T_max']}, "
                f"eta_min={p['eta_min']})], milestones=[{p['warmup_iters']}])")
    if name == "plateau":
        args = ", ".join(f"{k}={v}" for k, v in p.items())
        return f"{LR}.ReduceLROnPlateau(opt, {args})"
    raise ValueError(f"schedule {name!r} has no torch scheduler in the snippet yet")


# ---------------------------------------------------------------- the script
STEPS_NOTE = "path: (steps + 1, 2) positions, path[0] the start; the gradient is autograd's (plus optiscape's seeded noise when SIGMA > 0)"

_NOISE = '''\
# optiscape's gradient noise (optimizers/noise.py): z(seed, k) ~ N(0, I) from SplitMix64 and Box-Muller,
# a pure function of the seed and the gradient evaluation counter k
def _splitmix64(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def noise_pair(seed, k):
    golden = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        base = (np.uint64(seed) * golden) ^ _splitmix64(np.uint64(k) + golden)
        u1 = float(_splitmix64(base + np.uint64(1)) >> np.uint64(11)) * 2.0 ** -53
        u2 = float(_splitmix64(base + np.uint64(2)) >> np.uint64(11)) * 2.0 ** -53
    radius = np.sqrt(-2.0 * np.log1p(-u1))
    return np.array([radius * np.cos(2.0 * np.pi * u2), radius * np.sin(2.0 * np.pi * u2)])
'''


def torch_snippet(*, surface: str = "rosenbrock", surface_params: dict | None = None, optimizer: str = "adam",
                  hyper: dict | None = None, schedule: str = "constant", schedule_params: dict | None = None,
                  noise: float = 0.0, seed: int = 0, start=None, steps: int = 100) -> str:
    """Python source (torch) that reproduces ``optimizers.run`` of this one run; its ``path`` is ``(steps+1, 2)``.

    ``surface="custom"`` with ``surface_params={"formula": text}`` for a formula. ``start``
    None: the surface's default start. Raises ValueError for a bad value (the engine's
    messages) and for what torch cannot express.
    """
    landscape = landscapes.get(surface, **dict(surface_params or {}))
    opt = get_optimizer(optimizer, **dict(hyper or {}))
    sched = schedules_module.get(schedule, **dict(schedule_params or {}))
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    if not (isinstance(noise, (int, float, np.number)) and not isinstance(noise, bool)
            and np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if isinstance(seed, bool):
        raise ValueError("seed must be a non-negative integer")
    seed = int(as_seeds(seed, 1)[0])
    xy, single = as_starts(landscape.start if start is None else start)
    if not single:
        raise ValueError("start must be one pair (x, y): a snippet is one run")
    noise = float(noise)

    title = (f"optiscape run as PyTorch: {opt.describe()} on {landscape.label}"
             + (f", {sched.describe()}" if schedule != "constant" else "")
             + (f", gradient noise sigma={noise:g} seed={seed}" if noise else ""))
    lines = ["# " + " ".join(title.splitlines()), f"# {STEPS_NOTE}",
             "import math", "", "import numpy as np", "import torch"]
    imports, constructor = optimizer_constructor(opt)
    lines += imports + ["", "torch.set_num_threads(1)", ""]
    lines += surface_expression(surface, surface_params) + [""]
    lines += [f"SIGMA, SEED, STEPS = {_num(noise)}, {seed}, {int(steps)}", ""]
    if noise:
        lines += [_NOISE]
    shape = "(1, 2)" if opt.name == "muon" else "(2,)"
    comment = "   # Muon takes matrices: the point is a 1x2 row" if opt.name == "muon" else ""
    lines += [f"p = torch.tensor([{_num(xy[0, 0])}, {_num(xy[0, 1])}], dtype=torch.float64)"
              f".reshape{shape}.requires_grad_(){comment}",
              "evals = 0   # gradient evaluations so far: the noise counter", "",
              "", "def loss_at(point):", "    x, y = point.reshape(2)", "    return f(x, y)", "",
              "", "def gradient():",
              '    """Loss and gradient at p into p.grad (autograd), plus the seeded noise."""',
              "    global evals", "    p.grad = None", "    loss = loss_at(p)", "    loss.backward()"]
    if noise:
        lines += ["    p.grad += SIGMA * torch.from_numpy(noise_pair(SEED, evals)).reshape(p.shape)"]
    lines += ["    evals += 1", "    return loss", ""]
    if opt.name == "newton":
        h = opt.hyper
        lines += ["", f"LR = {_num(h['lr'])}             # lr: the fraction of the Newton step taken",
                  f"DAMPING = {_num(h['damping'])}    # damping: |eigenvalues| below it count as +-damping",
                  f"SADDLE_FREE = {bool(h['saddle_free'])}   # saddle_free: use |eigenvalues| (Dauphin et al. 2014)",
                  f"MAX_STEP = {_num(h['max_step'])}     # max_step: the longest move one step may make", "",
                  "", "def newton_step():",
                  '    """Newton (no torch class): p -= lr H_mod^-1 g, |lambda| floored at damping, move capped."""',
                  "    gradient()",
                  "    with torch.no_grad():",
                  "        hessian = torch.autograd.functional.hessian(lambda q: loss_at(q), p.detach())",
                  "        values, vectors = torch.linalg.eigh(hessian)",
                  "        if SADDLE_FREE:",
                  "            mu = torch.clamp(values.abs(), min=DAMPING)",
                  "        else:",
                  "            mu = torch.where(values.abs() < DAMPING, torch.where(values < 0, -DAMPING, DAMPING), values)",
                  "        move = opt.param_groups[0]['lr'] * (vectors @ ((vectors.T @ p.grad) / mu))",
                  "        length = torch.linalg.vector_norm(move)",
                  "        if length > MAX_STEP:",
                  "            move = move * (MAX_STEP / length)",
                  "        p.sub_(move)", "",
                  "", "opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR)   # only holds the (scheduled) rate"]
    else:
        lines += [constructor]
    scheduler = _scheduler(sched, steps)
    if scheduler:
        lines += [f"scheduler = {scheduler}"]
    lines += [""]
    schedule_free = opt.name.endswith("_schedulefree")
    if schedule_free:
        beta = _num(opt.hyper.get("momentum", opt.hyper.get("beta1")))
        lines += ["opt.train()", "", "",
                  "def model_point():",
                  '    """Schedule-Free\'s path is the eval point x = lerp(y, z, 1 - 1/beta) (what opt.eval() writes)."""',
                  "    state = opt.state[p]",
                  "    if 'z' not in state:", "        return p.detach().numpy().reshape(2).copy()",
                  f"    return p.detach().clone().lerp_(state['z'], 1 - 1 / {beta}).numpy().reshape(2)", ""]
    point = "model_point()" if schedule_free else "p.detach().numpy().reshape(2).copy()"
    lines += ["", f"path = [{point}]", "for t in range(STEPS):"]
    if opt.name == "newton":
        lines += ["    newton_step()", "    opt.step()                     # a no-op on the rate holder (keeps torch's scheduler order)"]
    elif opt.name == "sam":
        lines += ["    gradient()                     # SAM: the gradient at x first, then the probe in step()",
                  "    opt.step(gradient)"]
    else:
        lines += ["    opt.step(gradient)"]
    if scheduler:
        if sched.reacts_to_loss:
            lines += ["    with torch.no_grad():",
                      "        scheduler.step(float(loss_at(p)))   # the loss at the new point"]
        elif sched.name == "one_cycle":
            total = _value(sched.params["total_steps"] or max(int(steps), 1))
            lines += [f"    if scheduler.last_epoch < {total} - 1:   # past the cycle optiscape holds the last rate",
                      "        scheduler.step()"]
        else:
            lines += ["    scheduler.step()"]
    lines += [f"    if not torch.isfinite(p).all() or p.abs().max() > {DEFAULT_BOUND!r}:",
              "        print(f'diverged at step {t + 1}')   # optiscape stops the run here",
              "        break",
              f"    path.append({point})",
              "path = np.array(path)",
              "print(path[-1], float(loss_at(torch.from_numpy(path[-1]))))", ""]
    return "\n".join(lines)
