r"""The local model at one point of a run: what a first-order and a second-order method "see".

At the point :math:`p` with gradient :math:`g = \nabla f(p)` and the exact Hessian
:math:`H = \nabla^2 f(p)` (from the landscape's closed form):

* the **linear (first-order) model** :math:`m_1(p + \delta) = f(p) + g^\top \delta`: a tilted
  plane, straight contours, no minimum; it says which way is downhill, not how far to go, so a
  first-order method needs a learning rate;
* the **quadratic (second-order) Taylor model**
  :math:`m_2(p + \delta) = f(p) + g^\top \delta + \tfrac12 \delta^\top H \delta`;
  Newton's step jumps to its stationary point :math:`\delta_N = -H^{-1} g`. That is the model's
  minimum only when :math:`H` is positive definite; when :math:`H` is indefinite it is the model's
  saddle (and when negative definite its maximum), and plain Newton walks there.

:func:`local_model` computes all of it in a box around :math:`p` (both models on a grid, with
``f``) and along the 1-D slice :math:`s \mapsto p + s u` through the run's step direction
:math:`u` (the step actually taken, ``path[t+1] - path[t]``; at the last step, :math:`-g`):
:math:`f(p + s u)`, :math:`m_1 = f(p) + s\, g^\top u` and
:math:`m_2 = m_1 + \tfrac12 s^2 u^\top H u`. :func:`model_figure` and :func:`slice_figure` draw it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from webapp.figures.encode import escape, round_significant, rounded

__all__ = ["LocalModel", "local_model", "model_figure", "slice_figure", "GRID", "verdict"]

GRID = 41                  # contour grid per panel
SLICE_POINTS = 161
MIN_HALF_WIDTH = 1e-6


@dataclass
class LocalModel:
    """Everything the card shows about the point ``point`` (``(2,)``) at step ``step`` of a run.

    value, grad ``(2,)``, hessian ``(2, 2)``, eigenvalues ``(2,)`` ascending; direction ``(2,)``
    unit, step_length (0 at the last step: the direction is then -g); newton ``(2,)`` or None
    (singular Hessian); kind: "positive definite" | "indefinite" | "negative definite" | "singular";
    box ``(x0, x1, y0, y1)``; xs, ys ``(G,)`` and f, linear, quadratic ``(G, G)`` (row = y);
    s, f_slice, linear_slice, quadratic_slice ``(S,)``; slice_newton: the 1-D quadratic's stationary s or None;
    f_at_newton: f at Newton's point (None with no Newton step).
    """

    step: int
    point: np.ndarray
    value: float
    grad: np.ndarray
    hessian: np.ndarray
    eigenvalues: np.ndarray
    direction: np.ndarray
    step_length: float
    newton: np.ndarray | None
    kind: str
    box: tuple
    xs: np.ndarray
    ys: np.ndarray
    f: np.ndarray
    linear: np.ndarray
    quadratic: np.ndarray
    s: np.ndarray
    f_slice: np.ndarray
    linear_slice: np.ndarray
    quadratic_slice: np.ndarray
    slice_newton: float | None
    f_at_newton: float | None = None


def _kind(eigenvalues: np.ndarray) -> str:
    scale = max(float(np.max(np.abs(eigenvalues))), 1e-300)
    low, high = (float(v) for v in eigenvalues)
    if min(abs(low), abs(high)) <= 1e-12 * scale:
        return "singular"
    if low > 0:
        return "positive definite"
    if high < 0:
        return "negative definite"
    return "indefinite"


def local_model(surface, path: np.ndarray, step: int, view) -> LocalModel:
    """The local models at ``path[step]`` of a run (``path`` ``(T+1, 2)``, finite up to its end);
    the box is centred on the point, wide enough for the step taken and Newton's step (capped at the view)."""
    path = np.asarray(path, dtype=np.float64)
    if not 0 <= step < path.shape[0]:
        raise ValueError(f"step must be in [0, {path.shape[0] - 1}], got {step}")
    p = path[step]
    if not np.all(np.isfinite(p)):
        raise ValueError(f"the run has no finite point at step {step}")
    value = float(surface.value(p))
    grad = surface.grad(p).astype(np.float64)
    hessian = surface.hessian(p).astype(np.float64)
    hessian = 0.5 * (hessian + hessian.T)
    eigenvalues = np.linalg.eigvalsh(hessian)
    kind = _kind(eigenvalues)
    newton = None if kind == "singular" else -np.linalg.solve(hessian, grad)
    taken = path[step + 1] - p if step + 1 < path.shape[0] and np.all(np.isfinite(path[step + 1])) else None
    length = float(np.hypot(*taken)) if taken is not None else 0.0
    if length > 0:
        direction = taken / length
    else:
        norm = float(np.hypot(*grad))
        direction = -grad / norm if norm > 0 else np.array([1.0, 0.0])
    x0, x1, y0, y1 = (float(v) for v in view)
    span = max(x1 - x0, y1 - y0)
    reach = max(1.5 * length, 0.08 * span)
    if newton is not None:
        reach = max(reach, 1.2 * float(np.max(np.abs(newton))))
    half = float(np.clip(reach, MIN_HALF_WIDTH, 0.5 * span))
    box = (p[0] - half, p[0] + half, p[1] - half, p[1] + half)
    xs, ys = np.linspace(box[0], box[1], GRID), np.linspace(box[2], box[3], GRID)
    X, Y = np.meshgrid(xs, ys)                                             # (G, G), row = y
    dx, dy = X - p[0], Y - p[1]
    with np.errstate(all="ignore"):
        f = surface.value(np.stack([X, Y], axis=-1))
    linear = value + grad[0] * dx + grad[1] * dy
    quadratic = linear + 0.5 * (hessian[0, 0] * dx * dx + 2 * hessian[0, 1] * dx * dy + hessian[1, 1] * dy * dy)
    s = np.linspace(-half, half, SLICE_POINTS)
    points = p[None, :] + s[:, None] * direction[None, :]                  # (S, 2)
    with np.errstate(all="ignore"):
        f_slice = surface.value(points)
    slope, curvature = float(grad @ direction), float(direction @ hessian @ direction)
    linear_slice = value + slope * s
    quadratic_slice = linear_slice + 0.5 * curvature * s * s
    slice_newton = -slope / curvature if abs(curvature) > 1e-300 else None
    return LocalModel(step=int(step), point=p.copy(), value=value, grad=grad, hessian=hessian,
                      eigenvalues=eigenvalues, direction=direction, step_length=length,
                      newton=None if newton is None else p + newton, kind=kind, box=box, xs=xs, ys=ys, f=f,
                      linear=linear, quadratic=quadratic, s=s, f_slice=f_slice, linear_slice=linear_slice,
                      quadratic_slice=quadratic_slice, slice_newton=slice_newton,
                      f_at_newton=None if newton is None else float(surface.value(p + newton)))


def verdict(model: LocalModel) -> str:
    """One sentence: the Hessian's kind and where Newton's step goes."""
    low, high = model.eigenvalues
    head = f"Hessian eigenvalues {low:.3g} and {high:.3g}: {model.kind}."
    if model.newton is None:
        return head + " Newton's step is undefined (the Hessian is singular); the quadratic model has no unique " \
                      "stationary point."
    where = f"({model.newton[0]:.4g}, {model.newton[1]:.4g})"
    if model.kind == "positive definite":
        return head + f" Newton's step goes to the quadratic model's minimum {where}, where f = " \
                      f"{model.f_at_newton:.4g} (f here {model.value:.4g})."
    if model.kind == "indefinite":
        return head + f" The quadratic model is a saddle: Newton's step goes to its saddle point {where}, " \
                      f"uphill along the negative-curvature direction; plain Newton is attracted to saddles."
    return head + f" The quadratic model is a hill: Newton's step goes to its maximum {where}, uphill."


def _contour(xs, ys, z, color: str, name: str, axis: str, dash: str = "solid", fill: bool = False) -> dict:
    trace = {"type": "contour", "x": rounded(xs, 6), "y": rounded(ys, 6),
             "z": [round_significant(row, 6) for row in np.asarray(z)], "name": name, "showscale": False,
             "ncontours": 18, "hoverinfo": "skip", "xaxis": f"x{axis}", "yaxis": f"y{axis}"}
    if fill:
        trace.update(colorscale="Viridis", opacity=0.55, contours={"coloring": "fill"}, line={"width": 0})
    else:
        trace.update(contours={"coloring": "none"}, line={"color": color, "width": 1.6, "dash": dash})
    return trace


def _points(model: LocalModel, axis: str, newton: bool) -> list:
    p, end = model.point, model.point + model.step_length * model.direction
    traces = [{"type": "scatter", "mode": "lines+markers", "x": [float(p[0]), float(end[0])],
               "y": [float(p[1]), float(end[1])], "name": "step taken", "line": {"color": "#111111", "width": 2.5},
               "marker": {"size": [10, 6], "color": "#111111"}, "xaxis": f"x{axis}", "yaxis": f"y{axis}",
               "hovertemplate": "step taken<br>(%{x:.4g}, %{y:.4g})<extra></extra>"}]
    if newton and model.newton is not None:
        traces.append({"type": "scatter", "mode": "markers", "x": [float(model.newton[0])],
                       "y": [float(model.newton[1])], "name": "Newton's step",
                       "marker": {"symbol": "x", "size": 13, "color": "#D55E00", "line": {"width": 2}},
                       "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                       "hovertemplate": "Newton's step<br>(%{x:.4g}, %{y:.4g})<extra></extra>"})
    return traces


def model_figure(model: LocalModel, title: str = "") -> dict:
    """Two panels over the box: f (filled) with the linear model's contours (left) and with the quadratic
    model's contours (right); the point, the step taken and (right) Newton's step."""
    x0, x1, y0, y1 = model.box
    data = [_contour(model.xs, model.ys, model.f, "", "f", "", fill=True),
            _contour(model.xs, model.ys, model.linear, "#CC79A7", "linear model", "", dash="dash"),
            *_points(model, "", newton=False),
            _contour(model.xs, model.ys, model.f, "", "f", "2", fill=True),
            _contour(model.xs, model.ys, model.quadratic, "#D55E00", "quadratic model", "2"),
            *_points(model, "2", newton=True)]
    axis = {"range": [x0, x1], "zeroline": False, "showgrid": False}
    yaxis = {"range": [y0, y1], "zeroline": False, "showgrid": False}
    return {"data": data, "layout": {
        "height": 340, "margin": {"l": 50, "r": 10, "t": 50, "b": 40}, "showlegend": False,
        "title": {"text": escape(title), "font": {"size": 13}},
        "xaxis": {**axis, "domain": [0, 0.47]}, "yaxis": {**yaxis, "scaleanchor": "x"},
        "xaxis2": {**axis, "domain": [0.53, 1]}, "yaxis2": {**yaxis, "anchor": "x2", "scaleanchor": "x2"},
        "annotations": [
            {"text": "f and the linear model (dashed): no minimum", "xref": "paper", "yref": "paper", "x": 0.0,
             "y": 1.02, "xanchor": "left", "yanchor": "bottom", "showarrow": False, "font": {"size": 12}},
            {"text": "f and the quadratic model; \u00d7 Newton's step", "xref": "paper", "yref": "paper",
             "x": 0.53, "y": 1.02, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
             "font": {"size": 12}}],
    }}


def slice_figure(model: LocalModel) -> dict:
    """f, the linear and the quadratic model along the step direction, with the step taken and the
    1-D quadratic's stationary point."""
    s = rounded(model.s, 8)
    data = [
        {"type": "scatter", "mode": "lines", "x": s, "y": round_significant(model.f_slice, 6), "name": "f",
         "line": {"color": "#0072B2", "width": 2.5}},
        {"type": "scatter", "mode": "lines", "x": s, "y": round_significant(model.linear_slice, 6),
         "name": "linear model", "line": {"color": "#CC79A7", "dash": "dash"}},
        {"type": "scatter", "mode": "lines", "x": s, "y": round_significant(model.quadratic_slice, 6),
         "name": "quadratic model", "line": {"color": "#D55E00"}},
    ]
    shapes = []
    if model.step_length > 0:
        shapes.append({"type": "line", "x0": model.step_length, "x1": model.step_length, "yref": "paper", "y0": 0,
                       "y1": 1, "line": {"color": "#111111", "width": 1.5}})
    if model.slice_newton is not None and abs(model.slice_newton) <= abs(model.s[-1]):
        shapes.append({"type": "line", "x0": model.slice_newton, "x1": model.slice_newton, "yref": "paper", "y0": 0,
                       "y1": 1, "line": {"color": "#D55E00", "width": 1.5, "dash": "dot"}})
    finite = np.concatenate([v[np.isfinite(v)] for v in (model.f_slice, model.quadratic_slice)])
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pad = 0.08 * max(high - low, 1e-12)
    return {"data": data, "layout": {
        "height": 260, "margin": {"l": 60, "r": 10, "t": 30, "b": 40},
        "title": {"text": "along the step direction (black: the step taken; dotted: the quadratic's stationary point)",
                  "font": {"size": 12}},
        "xaxis": {"title": {"text": "s (distance along the step)"}, "zeroline": True},
        "yaxis": {"title": {"text": "loss"}, "range": [low - pad, high + pad]},
        "shapes": shapes, "legend": {"orientation": "h", "y": -0.3},
    }}
