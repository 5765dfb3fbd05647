"""Engine speed, side by side with torch.optim and with a bare NumPy loop.

    python benchmarks/engine.py [--repeats 5] [--quick]

Three workloads (the targets of the engine issue):

* interactive: each registered first-order optimizer of the lecture, 1 start x
  500 steps on Rosenbrock through ``optimizers.run`` (the whole path kept),
  against a torch.optim loop written the way a PyTorch user writes it
  (zero_grad, loss on a requires_grad tensor, backward, step, record the point);
  target: ours >= 10x faster;
* basin: Adam from a 100 x 100 grid of starts x 500 steps
  (``optimizers.final_positions``), against torch.optim on one (10000, 2)
  tensor with autograd (target >= 2.5x faster), and against a bare in-place
  NumPy Adam loop written here by hand, the floor (target: within 1.5x of it);
* large: 200 x 200 starts x 300 steps of Adam, target under 1 s;
* the rest of torch.optim (ASGD, Rprop, Adafactor, Muon): interactive rows as above, and basin rows
  against torch (one (N, 2) tensor where the method is elementwise, else one parameter per start,
  timed on a subset and extrapolated; see ``BASIN_REST``).
* beyond torch (Lion, Schedule-Free SGD and AdamW, AdaBelief, Prodigy, SAM):
  the same interactive race against the authors' reference package stepping
  the same run (target >= 10x), and a basin of 100 x 100 starts x 500 steps
  against the reference on one (10000, 2) tensor. Prodigy's d and SAM's
  gradient norm are global over a tensor, so one tensor is not 10000 runs
  there: their peer is one reference optimizer per start, timed on
  ``BEYOND_PEER_STARTS`` starts and scaled to 10000 (stated in the row).

Every figure is the median of ``--repeats`` runs, ours and the peer's
alternating so both see the same load on a shared machine; torch uses one thread. The
script prints a table and always exits 0: a slow or busy machine shows up in
the ratios, never as a failure. It also checks that both sides computed the
same thing (the largest difference between our paths and torch's).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import landscapes  # noqa: E402
import optimizers  # noqa: E402

try:
    import torch
    torch.set_num_threads(1)
except ImportError:            # the engine's own figures still print
    torch = None

try:                           # the references of the optimizers beyond torch (test-only dependencies)
    import adabelief_pytorch
    import lion_pytorch
    import prodigyopt
    import pytorch_optimizer
    import schedulefree
except ImportError as error:   # their rows then print that the peer is absent
    REFERENCES_MISSING = str(error)
else:
    REFERENCES_MISSING = ""

START = (-1.5, 2.0)
INTERACTIVE_STEPS = 500
BASIN_SIDE, BASIN_STEPS, BASIN_LR = 100, 500, 0.05
LARGE_SIDE, LARGE_STEPS = 200, 300

# Settings for the interactive race: ours by registry name, torch's constructor with the same values.
# Rates are small enough that no run diverges on Rosenbrock from START.
INTERACTIVE = {
    "sgd": (dict(lr=1e-4), lambda p: torch.optim.SGD(p, lr=1e-4)),
    "momentum": (dict(lr=1e-4), lambda p: torch.optim.SGD(p, lr=1e-4, momentum=0.9)),
    "nesterov": (dict(lr=1e-4), lambda p: torch.optim.SGD(p, lr=1e-4, momentum=0.9, nesterov=True)),
    "adagrad": (dict(lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1)),
    "rmsprop": (dict(lr=1e-3), lambda p: torch.optim.RMSprop(p, lr=1e-3)),
    "adadelta": (dict(lr=1.0), lambda p: torch.optim.Adadelta(p, lr=1.0)),
    "adam": (dict(lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    "adamw": (dict(lr=0.01), lambda p: torch.optim.AdamW(p, lr=0.01)),
    # the rest of torch.optim (Muon takes the point as a 1 x 2 matrix, see TORCH_SHAPE)
    "asgd": (dict(lr=1e-4), lambda p: torch.optim.ASGD(p, lr=1e-4)),
    "rprop": (dict(lr=1e-3), lambda p: torch.optim.Rprop(p, lr=1e-3)),
    "adafactor": (dict(lr=1e-3), lambda p: torch.optim.Adafactor(p, lr=1e-3)),
    "muon": (dict(lr=1e-3), lambda p: torch.optim.Muon(p, lr=1e-3)),
}
TORCH_SHAPE = {"muon": (1, 2)}

# Basin rows of the rest of torch.optim: ASGD and Rprop are elementwise, so torch steps all starts as one
# (N, 2) tensor, as for Adam. Adafactor (RMS of each run's x) and Muon (orthogonalizes each run's 1 x 2
# matrix) are not: one (N, 2) tensor would be one big problem, so torch gets N parameters, timed on
# BASIN_SUBSET of them and extrapolated.
BASIN_REST = {
    "asgd": (dict(lr=1e-3), lambda p: torch.optim.ASGD(p, lr=1e-3), "tensor"),
    "rprop": (dict(lr=1e-3), lambda p: torch.optim.Rprop(p, lr=1e-3), "tensor"),
    "adafactor": (dict(lr=0.01), lambda p: torch.optim.Adafactor(p, lr=0.01), "list"),
    "muon": (dict(lr=0.01), lambda p: torch.optim.Muon(p, lr=0.01), "list"),
}
BASIN_SUBSET = 100

# Beyond torch: ours by registry name; the reference's constructor; how the reference is driven
# ("plain": backward then step; "schedule_free": train() first and the path is the eval point x;
# "sam": backward at x, then step(closure) with the closure's second gradient at the probe).
BEYOND = {
    "lion": (dict(lr=1e-3), lambda p: lion_pytorch.Lion(p, lr=1e-3), "plain"),
    "sgd_schedulefree": (dict(lr=1e-4), lambda p: schedulefree.SGDScheduleFree(p, lr=1e-4), "schedule_free"),
    "adamw_schedulefree": (dict(lr=0.01), lambda p: schedulefree.AdamWScheduleFree(p, lr=0.01), "schedule_free"),
    "adabelief": (dict(lr=0.01), lambda p: quiet(adabelief_pytorch.AdaBelief, p, lr=0.01, print_change_log=False),
                  "plain"),
    "prodigy": (dict(), lambda p: prodigyopt.Prodigy(p), "plain"),
    "sam": (dict(lr=1e-4), lambda p: pytorch_optimizer.SAM(p, torch.optim.SGD, lr=1e-4), "sam"),
}
GLOBAL_OVER_A_TENSOR = {"prodigy", "sam"}   # one tensor of N rows is one model there, not N runs
BEYOND_PEER_STARTS = 20


def median_time(fn, repeats: int) -> tuple[float, object]:
    """Median wall time of ``fn()`` over ``repeats`` calls (after one warm-up), and its last result."""
    result = fn()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def paired_median_times(ours, peer, repeats: int) -> tuple[float, object, float, object]:
    """Median times of ``ours()`` and ``peer()`` run alternately, so both see the same load on a shared machine."""
    ours_result, peer_result = ours(), peer()                     # warm-up
    ours_times, peer_times = [], []
    for _ in range(repeats):
        began = time.perf_counter()
        ours_result = ours()
        ours_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        peer_result = peer()
        peer_times.append(time.perf_counter() - began)
    return statistics.median(ours_times), ours_result, statistics.median(peer_times), peer_result


def rosenbrock_torch(xy):
    """(1 - x)^2 + 100 (y - x^2)^2 on a (..., 2) tensor, summed over runs."""
    x, y = xy[..., 0], xy[..., 1]
    return ((1 - x) ** 2 + 100 * (y - x ** 2) ** 2).sum()


def torch_interactive(make_optimizer, steps: int, shape=(2,)) -> np.ndarray:
    """What a PyTorch user writes: one parameter tensor, autograd, the path recorded point by point."""
    w = torch.tensor(START, dtype=torch.float64).reshape(shape).requires_grad_(True)
    opt = make_optimizer([w])
    path = [w.detach().clone().reshape(2)]
    for _ in range(steps):
        opt.zero_grad()
        loss = rosenbrock_torch(w)
        loss.backward()
        opt.step()
        path.append(w.detach().clone().reshape(2))
    return torch.stack(path).numpy()


def torch_basin_rest(make_optimizer, starts: np.ndarray, steps: int, layout: str, shape=(2,)) -> np.ndarray:
    """torch on many starts: one (N, 2) tensor ("tensor") or one parameter per start ("list")."""
    if layout == "tensor":
        params = [torch.tensor(starts, dtype=torch.float64, requires_grad=True)]
    else:
        params = [torch.tensor(row, dtype=torch.float64).reshape(shape).requires_grad_(True) for row in starts]
    opt = make_optimizer(params)
    for _ in range(steps):
        opt.zero_grad()
        sum(rosenbrock_torch(p) for p in params).backward()
        opt.step()
    return np.concatenate([p.detach().numpy().reshape(-1, 2) for p in params])


def torch_basin(starts: np.ndarray, steps: int, lr: float) -> np.ndarray:
    """torch.optim.Adam on one (N, 2) tensor: every start is a row, autograd on the summed loss."""
    w = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        rosenbrock_torch(w).backward()
        opt.step()
    return w.detach().numpy().copy()


def numpy_adam_floor(starts: np.ndarray, steps: int, lr: float, beta1=0.9, beta2=0.999, eps=1e-8):
    """A bare in-place NumPy Adam on Rosenbrock, written by hand: the floor for any NumPy engine.

    g = (-2(1 - x) - 400 x r, 200 r) with r = y - x^2;
    m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    x -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    No divergence check, no path, no noise: only the arithmetic.
    """
    params = starts.copy()                                # (N, 2)
    x, y = params[:, 0], params[:, 1]
    grad = np.empty_like(params)
    gx, gy = grad[:, 0], grad[:, 1]
    m, v, denom = np.zeros_like(params), np.zeros_like(params), np.empty_like(params)
    r, tmp = np.empty_like(x), np.empty_like(x)
    for t in range(1, steps + 1):
        np.multiply(x, x, out=r)
        np.subtract(y, r, out=r)                          # r = y - x^2
        np.multiply(r, 200.0, out=gy)
        np.multiply(x, r, out=tmp)
        tmp *= -400.0
        np.subtract(x, 1.0, out=gx)
        gx *= 2.0
        gx += tmp
        m *= beta1
        m += (1 - beta1) * grad
        grad *= grad
        v *= beta2
        grad *= 1 - beta2
        v += grad
        np.sqrt(v, out=denom)
        denom /= (1 - beta2 ** t) ** 0.5
        denom += eps
        np.divide(m, denom, out=denom)
        denom *= lr / (1 - beta1 ** t)
        params -= denom
    return params


def quiet(cls, params, **kwargs):
    """``cls(params, **kwargs)`` without its console banner (AdaBelief prints its settings when built)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return cls(params, **kwargs)


def reference_steps(w, make_optimizer, protocol: str, steps: int, record: bool):
    """Step the reference optimizer ``make_optimizer([w])`` on Rosenbrock; the path (or final points) it draws.

    Schedule-Free's drawn point is its eval point x = lerp(y, z, 1 - 1/beta) (y is in ``w``).
    """
    opt = make_optimizer([w])
    if protocol == "schedule_free":
        opt.train()
        group = opt.param_groups[0]
        beta = group["momentum"] if "momentum" in group else group["betas"][0]

    def closure():
        opt.zero_grad()
        loss = rosenbrock_torch(w)
        loss.backward()
        return loss

    def point():
        if protocol == "schedule_free" and "z" in opt.state[w]:
            return w.detach().clone().lerp_(opt.state[w]["z"], 1 - 1 / beta)
        return w.detach().clone()

    path = [point()] if record else None
    for _ in range(steps):
        closure()
        if protocol == "sam":
            opt.step(closure)
        else:
            opt.step()
        if record:
            path.append(point())
    return torch.stack(path).numpy() if record else point().numpy()


def reference_interactive(make_optimizer, protocol: str, steps: int) -> np.ndarray:
    w = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    return reference_steps(w, make_optimizer, protocol, steps, record=True)


def reference_basin(starts: np.ndarray, make_optimizer, protocol: str, steps: int) -> np.ndarray:
    """The reference on one (N, 2) tensor (elementwise optimizers: N independent runs)."""
    w = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
    return reference_steps(w, make_optimizer, protocol, steps, record=False)


def reference_one_by_one(starts: np.ndarray, make_optimizer, protocol: str, steps: int) -> np.ndarray:
    """One reference optimizer per start (Prodigy's d, SAM's norm are per model)."""
    return np.array([reference_steps(torch.tensor(start, dtype=torch.float64, requires_grad=True),
                                     make_optimizer, protocol, steps, record=False) for start in starts])


def beyond_torch_rows(surface, starts: np.ndarray, repeats: int) -> None:
    """Interactive and basin rows of the optimizers beyond torch, against their reference packages."""
    registered = set(optimizers.names())
    for name, (hyper, make_reference, protocol) in BEYOND.items():
        if name not in registered:
            print(f"{'interactive ' + name:<34}  (not registered yet)")
            continue
        opt = optimizers.get(name, **hyper)
        ours_run = lambda: optimizers.run(surface, opt, START, INTERACTIVE_STEPS)   # noqa: E731
        if torch is None or REFERENCES_MISSING:
            ours, _ = median_time(ours_run, repeats)
            row(f"interactive {name} 1x{INTERACTIVE_STEPS}", ours, None, "(reference absent)", ">= 10x")
            continue
        ours, path, peer, reference_path = paired_median_times(
            ours_run, lambda: reference_interactive(make_reference, protocol, INTERACTIVE_STEPS), repeats)
        gap = np.max(np.abs(path - reference_path))
        if not gap <= 1e-6:
            print(f"  warning: {name} differs from its reference by {gap:.3g}")
        row(f"interactive {name} 1x{INTERACTIVE_STEPS}", ours, peer, "reference autograd", ">= 10x")
    for name, (hyper, make_reference, protocol) in BEYOND.items():
        if name not in registered or torch is None or REFERENCES_MISSING:
            continue
        opt = optimizers.get(name, **hyper)
        ours_basin = lambda: optimizers.final_positions(surface, opt, starts, BASIN_STEPS)   # noqa: E731
        label = f"basin {name} {BASIN_SIDE}x{BASIN_SIDE}x{BASIN_STEPS}"
        if name in GLOBAL_OVER_A_TENSOR:
            subset = starts[:: len(starts) // BEYOND_PEER_STARTS][:BEYOND_PEER_STARTS]
            ours, (final, diverged) = median_time(ours_basin, repeats)
            peer, peer_final = median_time(lambda: reference_one_by_one(subset, make_reference, protocol,
                                                                        BASIN_STEPS), 1)
            peer *= len(starts) / len(subset)
            ours_subset, subset_diverged = optimizers.final_positions(surface, opt, subset, BASIN_STEPS)
            gap = np.nanmax(np.abs(ours_subset - peer_final)[subset_diverged < 0], initial=0.0)
            row(label, ours, peer, f"1 ref/start (x{len(starts) // len(subset)})", "info")
        else:
            ours, (final, diverged), peer, peer_final = paired_median_times(
                ours_basin, lambda: reference_basin(starts, make_reference, protocol, BASIN_STEPS), repeats)
            gap = np.nanmax(np.abs(final - peer_final)[diverged < 0], initial=0.0)   # ours stop at divergence
            row(label, ours, peer, "reference (N,2)", "info")
        if not gap <= 1e-6:
            print(f"  note: {name} basin differs from its reference by up to {gap:.3g} over the runs that "
                  f"stay bounded (chaotic starts amplify last-bit differences)")


def grid(side: int, view) -> np.ndarray:
    """``(side * side, 2)`` starts on a regular grid over ``view = (x0, x1, y0, y1)``."""
    xs = np.linspace(view[0], view[1], side)
    ys = np.linspace(view[2], view[3], side)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=-1)


def row(label, ours, peer, peer_name, target, ratio_text=None):
    ratio = ratio_text if ratio_text is not None else (f"{peer / ours:6.1f}x" if peer else "   n/a")
    peer_text = (f"{peer * 1e3:9.1f}" if peer * 1e3 < 1e6 else f"{peer * 1e3:9.3g}") if peer else "      n/a"
    print(f"{label:<34}{ours * 1e3:9.1f}{peer_text}  {peer_name:<20}{ratio:>8}   {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    parser.add_argument("--beyond-only", action="store_true",
                        help="only the rows of the optimizers beyond torch (and Adam's, for scale)")
    args = parser.parse_args()
    repeats = 2 if args.quick else max(1, args.repeats)

    surface = landscapes.get("rosenbrock")
    print(f"optiscape engine benchmark: median of {repeats} runs; numpy {np.__version__}; "
          f"torch {torch.__version__ if torch else 'absent'} (1 thread); {os.cpu_count()} cores")
    print(f"{'workload':<34}{'ours ms':>9}{'peer ms':>10}  {'peer':<20}{'ratio':>8}   target")

    # ------------------------------------------------------------ interactive
    registered = set(optimizers.names())
    for name, (hyper, make_torch) in INTERACTIVE.items():
        if args.beyond_only and name != "adam":
            continue
        if name not in registered:
            print(f"{'interactive ' + name:<34}  (not registered yet)")
            continue
        opt = optimizers.get(name, **hyper)
        ours_run = lambda: optimizers.run(surface, opt, START, INTERACTIVE_STEPS)   # noqa: E731
        peer = None
        if torch is None:
            ours, path = median_time(ours_run, repeats)
        else:
            shape = TORCH_SHAPE.get(name, (2,))
            ours, path, peer, torch_path = paired_median_times(
                ours_run, lambda: torch_interactive(make_torch, INTERACTIVE_STEPS, shape), repeats)
            gap = np.max(np.abs(path - torch_path))
            if not gap <= 1e-6:
                print(f"  warning: {name} differs from torch by {gap:.3g}")
        row(f"interactive {name} 1x{INTERACTIVE_STEPS}", ours, peer, "torch.optim autograd", ">= 10x")

    # ------------------------------------------------------------ basin
    view = surface.view
    starts = grid(BASIN_SIDE, view)                        # (10000, 2)
    adam = optimizers.get("adam", lr=BASIN_LR)
    ours_basin = lambda: optimizers.final_positions(surface, adam, starts, BASIN_STEPS)   # noqa: E731
    label = f"basin adam {BASIN_SIDE}x{BASIN_SIDE}x{BASIN_STEPS}"
    if torch is not None:
        ours, (final, _), peer, torch_final = paired_median_times(
            ours_basin, lambda: torch_basin(starts, BASIN_STEPS, BASIN_LR), repeats)
        gap = np.abs(final - torch_final).max(axis=1)          # (N,) per start
        # autograd rounds the gradient differently; on Rosenbrock's curved floor a few starts amplify that
        print(f"  agreement with torch over {len(gap)} starts: median {np.median(gap):.1e}, "
              f"max {gap.max():.1e}, {np.mean(gap <= 1e-9):.1%} within 1e-9")
        row(label, ours, peer, "torch.optim (N,2)", ">= 2.5x")
    ours, _, floor, _ = paired_median_times(ours_basin, lambda: numpy_adam_floor(starts, BASIN_STEPS, BASIN_LR),
                                            repeats)
    row(label, ours, floor, "bare NumPy floor", "<= 1.5x", ratio_text=f"{ours / floor:5.2f}x")
    if not args.beyond_only:
        ours_path, _ = median_time(lambda: optimizers.run(surface, adam, starts, BASIN_STEPS), max(1, repeats // 2))
        row(label + " +path", ours_path, None, "(full path kept)", "info")

    if not args.beyond_only:
        # ------------------------------------------------------------ basin: the rest of torch.optim
        for name, (hyper, make_torch, layout) in BASIN_REST.items():
            if name not in registered:
                continue
            opt = optimizers.get(name, **hyper)
            label = f"basin {name} {BASIN_SIDE}x{BASIN_SIDE}x{BASIN_STEPS}"
            ours_run = lambda: optimizers.final_positions(surface, opt, starts, BASIN_STEPS)   # noqa: E731
            if torch is None:
                row(label, median_time(ours_run, repeats)[0], None, "(torch absent)", "info")
                continue
            shape = TORCH_SHAPE.get(name, (2,))
            subset = starts if layout == "tensor" else starts[::len(starts) // BASIN_SUBSET][:BASIN_SUBSET]
            peer_repeats = repeats if layout == "tensor" else 1
            ours, (final, _), peer, torch_final = paired_median_times(
                ours_run, lambda: torch_basin_rest(make_torch, subset, BASIN_STEPS, layout, shape), peer_repeats)
            ours_subset = final if layout == "tensor" else optimizers.final_positions(surface, opt, subset, BASIN_STEPS)[0]
            gap = np.abs(ours_subset - torch_final).max(axis=1)
            finite = np.isfinite(torch_final).all(axis=1)
            print(f"  {name}: agreement with torch over {finite.sum()} finite starts: median {np.median(gap[finite]):.1e}, "
                  f"{np.mean(gap[finite] <= 1e-9):.1%} within 1e-9")
            if layout == "tensor":
                row(label, ours, peer, "torch.optim (N,2)", "info")
            else:
                row(label, ours, peer * len(starts) / len(subset), f"torch, N params x{len(starts) // len(subset)}", "info")

        # -------------------------------------------------------- large
        big = grid(LARGE_SIDE, view)                       # (40000, 2)
        ours, _ = median_time(lambda: optimizers.final_positions(surface, adam, big, LARGE_STEPS),
                              max(1, repeats // 2))
        verdict = "met" if ours < 1.0 else "missed"
        row(f"large adam {LARGE_SIDE}x{LARGE_SIDE}x{LARGE_STEPS}", ours, None, "(absolute)", "< 1000 ms",
            ratio_text=verdict)

    # ------------------------------------------------------------ beyond torch
    if REFERENCES_MISSING:
        print(f"  reference packages absent ({REFERENCES_MISSING}): pip install -e '.[test]' for the peers")
    beyond_torch_rows(surface, starts, repeats)


if __name__ == "__main__":
    main()
