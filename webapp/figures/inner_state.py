"""The optimizer's inner state of one run: per-step series, the synced panel, and the arrows on the map.

Indexing (the engine's): the point ``t`` (t = 0..T) is ``path[t]``, reached by
update number ``t`` (t = 1..T), which used the rate ``lr[t - 1]`` and left the
state ``state[key][t]``.

* Per point, length T+1: ``gradient[t] = grad f(path[t])`` (exact, noise-free),
  ``velocity[t]`` = the optimizer's first-moment state after t updates (what it
  carries into update t+1), ``step[t] = path[t+1] - path[t]`` (the step actually
  taken *from* point t; zeros at t = T).
* Per update, length T, drawn at x = ``update`` = 1..T: ``lr``, ``step_length``
  ``|path[t] - path[t-1]|``, ``effective_lr`` per axis, ``bias_correction``.

So at point t the three arrows tell one story: the gradient here, the velocity
carried in, and the step that came out of them (for SGD+Momentum with
dampening 0, ``step[t] = -lr (rho velocity[t] + gradient[t])`` for t >= 1).
"""
from __future__ import annotations

import re

import numpy as np

from webapp.figures.encode import coordinate_decimals, escape, finite, round_significant, rounded
from webapp.figures.style import FONT
from webapp.i18n import t
from webapp.state.model import PALETTE

__all__ = ["inner_state_series", "inner_state_figure", "state_arrows", "arrow_traces", "arrow_scale",
           "polyak_traces", "loss_axis", "rule_markdown", "velocity_key", "CURSOR_SHAPE", "ARROW_STYLE"]

CURSOR_SHAPE = 0          # layout.shapes index of the step cursor in inner_state_figure

# One colour per arrow kind, dark enough to read on the light contour, apart from the run palette's hues.
ARROW_STYLE = {
    "gradient": {"name": "\u2212gradient", "color": "#c0392b", "width": 2.5},
    "velocity": {"name": "velocity", "color": "#6a3d9a", "width": 2.5},
    "step": {"name": "step taken", "color": "#111111", "width": 3.0},
}
# arrows to recorded points (the optimizer class's map_points), true size, in these colours by order
POINT_COLORS = ("#8c564b", "#5f5f5f", "#b8860b")


def _per_run(value, run: int) -> float:
    """A hyperparameter for one run (scalars, or ``(N, 1)`` per-run columns)."""
    array = np.asarray(value, dtype=np.float64)
    return float(array.reshape(-1)[run]) if array.ndim else float(array)


def velocity_key(optimizer, run: int = 0) -> str | None:
    """Which recorded state is the run's velocity / first moment, or ``None``.

    The optimizer class says (``velocity_state``; e.g. ``exp_avg`` for the Adam family,
    ``momentum_buffer`` for SGD), gated by ``velocity_gate``: SGD's buffer is a velocity
    only when this run's momentum is non-zero. Newton's and L-BFGS's ``direction`` is the
    last move, not a velocity, so they declare none.
    """
    key = optimizer.velocity_state
    if key is None or key not in optimizer.state_keys:
        return None
    gate = optimizer.velocity_gate
    if gate is not None and _per_run(optimizer.hyper.get(gate, 0.0), run) == 0.0:
        return None
    return key


def _bias_corrections(optimizer, steps: np.ndarray, run: int) -> dict | None:
    """``{"beta1": 1 - beta1^t, "beta2": 1 - beta2^t}`` for Adam-like optimizers with correction on."""
    hyper = optimizer.hyper
    if "beta1" not in hyper or "beta2" not in hyper or hyper.get("bias_correction", True) is False:
        return None
    t = steps.astype(np.float64)
    return {name: 1.0 - _per_run(hyper[name], run) ** t for name in ("beta1", "beta2")}


def _map_points(trajectory, run: int) -> dict:
    out = {}
    for key, (label, offset) in type(trajectory.optimizer).map_points.items():
        if key not in trajectory.state:
            continue
        recorded = trajectory.state[key][:, run]                          # (T+1, 2)
        index = np.minimum(np.arange(recorded.shape[0]) + int(offset), recorded.shape[0] - 1)
        out[key] = (label, recorded[index].copy())
    return out


def inner_state_series(trajectory, run: int = 0) -> dict:
    """Per-step arrays of one run (NumPy; the figure builders round them for the browser).

    Keys (see the module docstring for the indexing):
        ``path``, ``gradient``, ``step``: ``(T+1, 2)``; ``velocity``: ``(T+1, 2)`` or ``None``
        (``velocity_key`` names the state); ``grad_norm``: ``(T+1,)``;
        ``update``: ``(T,)`` = 1..T; ``lr``, ``step_length``: ``(T,)``;
        ``effective_lr``: ``(T, 2)`` per axis or ``None`` (not adaptive). For Adam/AdamW it
        is the lecture's ``lr / (sqrt(v_hat) + eps)``, the rate applied to m_hat (the
        engine's ``Trajectory.effective_lr`` is the rate on the raw m_t, larger by
        1 / (1 - beta1^t)); for the others it is the engine's.
        ``bias_correction``: ``{"beta1": (T,), "beta2": (T,)}`` = 1 - beta^t, or ``None``;
        ``state_series``: row title -> ``(T+1,)`` for each of the optimizer class's ``state_series``
        (the recorded state, column 0);
        ``points``: kind -> ``(label, (T+1, 2))``, the optimizer class's ``map_points`` aligned with
        the path (point t: the state at t + offset; the last rows repeat the last recorded one);
        ``optimizer``, ``label``, ``steps``, ``diverged_at`` (step or -1).
    """
    if not 0 <= run < trajectory.n_runs:
        raise ValueError(f"run must be in 0..{trajectory.n_runs - 1}, got {run}")
    optimizer = trajectory.optimizer
    path = trajectory.path[:, run]                                   # (T+1, 2)
    steps = path.shape[0] - 1
    gradient = finite(trajectory.grad[:, run])                       # (T+1, 2)
    step = np.zeros_like(path)                                       # (T+1, 2)
    step[:-1] = np.diff(path, axis=0)
    key = velocity_key(optimizer, run)
    velocity = trajectory.state[key][:, run].copy() if key else None
    counts = np.asarray(trajectory.state_steps[1:])                  # (T,) the update's own step counter
    bias = _bias_corrections(optimizer, counts, run)
    effective = trajectory.effective_lr
    if effective is not None:
        effective = effective[1:, run].copy()                        # (T, 2)
        if optimizer.effective_lr_on_m_hat and bias is not None:
            effective *= bias["beta1"][:, None]
    return {
        "optimizer": optimizer.name,
        "label": optimizer.label,
        "steps": steps,
        "diverged_at": int(trajectory.diverged_at[run]),
        "path": path.copy(),
        "gradient": gradient,
        "grad_norm": np.linalg.norm(gradient, axis=-1),
        "velocity_key": key,
        "velocity": velocity,
        "step": step,
        "update": np.arange(1, steps + 1),
        "lr": trajectory.lr[:, run].copy(),
        "step_length": np.linalg.norm(step[:-1], axis=-1),
        "effective_lr": effective,
        "bias_correction": bias,
        "points": _map_points(trajectory, run),
        "state_series": {title: trajectory.state[key][:, run, 0].copy()
                         for key, title in type(optimizer).state_series.items() if key in trajectory.state},
    }


# ------------------------------------------------------------------ the panel over time
def _positive(x, y) -> tuple[list, list]:
    """Points with a finite, positive y (log axes), x as ints and y to 4 significant digits."""
    x = np.asarray(x)
    y = np.asarray(y, dtype=np.float64)
    keep = np.isfinite(y) & (y > 0)
    return [int(v) for v in x[keep]], round_significant(y[keep])


def inner_state_figure(series: dict, colour: str = PALETTE[0], step: int = 0, lang: str = "en") -> dict:
    """A compact panel of rows over steps, sharing one x axis, with a step cursor.

    Rows (log y, only those that apply): gradient norm |g(x_t)|; step length
    |x_t - x_{t-1}|; effective learning rate per axis (x solid, y dotted);
    Adam's bias corrections 1 - beta1^t (solid) and 1 - beta2^t (dashed, linear
    y in [0, 1]); one row per ``state_series`` entry of the optimizer (Prodigy's d, ASGD's eta
    and mu); the scheduled learning rate.

    The cursor is ``layout.shapes[CURSOR_SHAPE]`` (index 0), a vertical line in
    x-data units spanning the whole figure: move it with
    ``Plotly.relayout(gd, {'shapes[0].x0': t, 'shapes[0].x1': t})``, as the loss plot's.
    """
    rows = [(t("inner.row_grad_norm", lang), "log"), (t("inner.row_step_length", lang), "log")]
    if series["effective_lr"] is not None:
        rows.append((t("inner.row_effective_lr", lang), "log"))
    if series["bias_correction"] is not None:
        rows.append((t("inner.row_bias_correction", lang), "linear"))
    extra_rows = series.get("state_series") or {}
    rows.extend((title, "log") for title in extra_rows)
    rows.append((t("inner.row_lr", lang), "log"))
    points = np.arange(series["steps"] + 1)
    update = series["update"]
    data = []
    spans: dict[int, list] = {}

    def line(row, x, y, name, dash="solid", width=1.8, log=True):
        xs, ys = _positive(x, y) if log else ([int(v) for v in np.asarray(x)], round_significant(y))
        spans.setdefault(row, []).extend(ys)
        axis = "" if row == 1 else str(row)
        data.append({
            "type": "scatter", "mode": "lines", "x": xs, "y": ys, "name": name,
            "xaxis": f"x{axis}", "yaxis": f"y{axis}", "showlegend": False,
            "line": {"color": colour, "width": width, "dash": dash},
            "hovertemplate": f"{escape(name)}<br>{escape(t('figures.along_step', lang, x='%{x}'))}: %{{y:.4g}}"
                             f"<extra></extra>",
        })

    row = 1
    line(row, points, series["grad_norm"], t("inner.line_grad", lang))
    row += 1
    line(row, update, series["step_length"], t("inner.line_step_length", lang))
    if series["effective_lr"] is not None:
        row += 1
        line(row, update, series["effective_lr"][:, 0], t("inner.line_effective", lang, axis="x"))
        line(row, update, series["effective_lr"][:, 1], t("inner.line_effective", lang, axis="y"), dash="dot")
    if series["bias_correction"] is not None:
        row += 1
        line(row, update, series["bias_correction"]["beta1"], "1\u2212\u03b2\u2081\u1d57", log=False)
        line(row, update, series["bias_correction"]["beta2"], "1\u2212\u03b2\u2082\u1d57", dash="dash", log=False)
    for title, values in extra_rows.items():
        row += 1
        line(row, points, values, title)
    row += 1
    line(row, update, series["lr"], t("inner.line_lr", lang))

    n_rows = len(rows)
    gap = 0.045
    height = (1.0 - gap * (n_rows - 1)) / n_rows
    last = max(series["steps"], 1)
    layout = {
        "height": 60 + 92 * n_rows,
        "margin": {"l": 56, "r": 12, "t": 22, "b": 34},
        "font": {"family": FONT, "size": 11},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#ffffff",
        "showlegend": False, "hovermode": "x",
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": int(step), "x1": int(step),
                    "y0": 0, "y1": 1, "line": {"color": "#444444", "width": 1.5, "dash": "dot"}}],
        "annotations": [],
        "meta": {"cursor_shape": CURSOR_SHAPE, "rows": [name for name, _ in rows]},
    }
    for index, (name, scale) in enumerate(rows, start=1):
        top = 1.0 - (index - 1) * (height + gap)
        axis = "" if index == 1 else str(index)
        layout[f"xaxis{axis}"] = {"anchor": f"y{axis}", "domain": [0.0, 1.0], "range": [0, last],
                                  "showticklabels": index == n_rows, "zeroline": False,
                                  **({"matches": "x"} if index > 1 else {}),
                                  **({"title": {"text": t("figures.step", lang), "standoff": 4}}
                                     if index == n_rows else {})}
        layout[f"yaxis{axis}"] = {"anchor": f"x{axis}", "domain": [round(top - height, 4), round(top, 4)],
                                  "type": scale, "exponentformat": "power", "nticks": 4, "zeroline": False,
                                  **({"range": [0, 1.05]} if scale == "linear" else decade_ticks(spans.get(index)))}
        layout["annotations"].append({
            "text": f"<b>{escape(name)}</b>", "xref": "paper", "yref": "paper", "x": 0.0, "y": round(top, 4),
            "xanchor": "left", "yanchor": "bottom", "showarrow": False, "font": {"size": 11, "color": "#333333"},
        })
    return {"data": data, "layout": layout}


def decade_ticks(values) -> dict:
    """Log-axis ticks at whole powers of ten (every k-th for wide ranges); none chosen for under a decade."""
    values = [v for v in values or [] if v > 0]
    if not values:
        return {}
    decades = np.log10(max(values)) - np.log10(min(values))
    return {"dtick": max(1, int(np.ceil(decades / 3)))} if decades >= 1 else {"tickformat": ".2~g", "nticks": 3}


# ------------------------------------------------------------------ arrows on the map
def arrow_scale(view, fraction: float = 0.12) -> tuple[float, float]:
    """Per-axis arrow scale ``(sx, sy)``: ``fraction`` of the view's width and height.

    Arrow lengths are measured in these units, so an arrow of a given size looks
    equally long whichever way it points, however unequal the axes' spans.
    """
    return (fraction * (float(view[1]) - float(view[0])), fraction * (float(view[3]) - float(view[2])))


def _reference(*norm_arrays) -> float:
    """The 90th percentile of the non-zero norms (robust to the first huge Rosenbrock gradients)."""
    norms = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in norm_arrays])
    norms = norms[np.isfinite(norms) & (norms > 0)]
    return float(np.percentile(norms, 90)) if norms.size else 1.0


def _scaled(vectors: np.ndarray, reference: float, scale: np.ndarray, compress: bool) -> np.ndarray:
    """Vectors ``(T+1, 2)`` rescaled, directions kept (zero stays zero).

    Lengths are measured in ``scale`` units (``u = v / scale`` per axis): with
    ``r = |u| / reference`` the drawn length is ``r`` (linear) or ``2r / (1 + r)``
    (compressed, at most 2) in those units.
    """
    norms = np.linalg.norm(vectors / scale, axis=-1, keepdims=True)   # (T+1, 1)
    ratio = norms / reference
    length = 2 * ratio / (1 + ratio) if compress else ratio
    with np.errstate(all="ignore"):
        out = np.where(norms > 0, vectors * (length / norms), 0.0)
    return finite(out)


def state_arrows(series: dict, scale, compress: bool = True, decimals: int | None = None,
                 step_true_size: bool = False) -> dict:
    """For every point t, the tips of the arrows anchored at the run's point ``path[t]``.

    Arrows (vectors v, drawn from the anchor to ``anchor + scaled(v)``):
        ``gradient``: v = -gradient[t] (the descent direction);
        ``velocity``: v = -velocity[t] (the direction the carried momentum pushes; only
            when the optimizer has one);
        ``step``: v = step[t] = path[t+1] - path[t] (the step actually taken);
        one per ``points`` entry (SAM's ascent probe, Schedule-Free's y and z): to that point, true size.
    Gradient and velocity are scaled together (one reference: the 90th
    percentile of both norms), so their relative size is kept; the step has its
    own reference. ``scale``: a number, or a per-axis pair ``(sx, sy)`` from
    :func:`arrow_scale`: an arrow of reference size is one unit long, measured
    with x in sx and y in sy. ``compress`` maps length r -> 2r/(1+r) (at most
    2 units) so rare huge vectors stay on screen; else lengths are linear.
    ``step_true_size``: draw the step unscaled, so its tip is the next point ``path[t+1]``.

    Returns ``{"x": [...], "y": [...]`` (anchors, T+1 each), ``"arrows": [{"kind", "name",
    "color", "x", "y"}]`` (tips, T+1 each), ``"scale"``, ``"references"}``, all plain lists. A
    client shows point t by restyling arrow trace ``j`` with
    ``x: [[x[t], arrows[j].x[t]]], y: [[y[t], arrows[j].y[t]]]``.
    """
    path = series["path"]                                            # (T+1, 2)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), (2,)).copy()
    if not np.all(np.isfinite(scale) & (scale > 0)):
        raise ValueError(f"scale must be positive and finite, got {scale.tolist()}")
    if decimals is None:
        span = max(np.ptp(path[:, 0]), np.ptp(path[:, 1]), 4 * float(scale.max()), 1e-12)
        decimals = coordinate_decimals((0.0, span, 0.0, span))
    vectors = {"gradient": -series["gradient"]}
    if series["velocity"] is not None:
        vectors["velocity"] = -series["velocity"]
    vectors["step"] = series["step"]
    shared = _reference(*(np.linalg.norm(vectors[k] / scale, axis=-1) for k in vectors if k != "step"))
    references = {k: shared for k in vectors if k != "step"}
    references["step"] = _reference(np.linalg.norm(vectors["step"] / scale, axis=-1))
    arrows = []
    for kind, vector in vectors.items():
        if kind == "step" and step_true_size:
            tips = path + vector                                              # (T+1, 2) = next points
        else:
            tips = path + _scaled(vector, references[kind], scale, compress)  # (T+1, 2)
        style = ARROW_STYLE[kind]
        arrows.append({"kind": kind, "name": style["name"], "color": style["color"], "width": style["width"],
                       "x": rounded(tips[:, 0], decimals), "y": rounded(tips[:, 1], decimals)})
    for index, (kind, (label, points)) in enumerate((series.get("points") or {}).items()):
        arrows.append({"kind": kind, "name": label, "color": POINT_COLORS[index % len(POINT_COLORS)],
                       "width": 2.5, "x": rounded(points[:, 0], decimals), "y": rounded(points[:, 1], decimals)})
    return {"x": rounded(path[:, 0], decimals), "y": rounded(path[:, 1], decimals), "arrows": arrows,
            "scale": scale.tolist(), "references": references}


def arrow_traces(arrows: dict, step: int = 0, showlegend: bool = True) -> list[dict]:
    """Scatter traces for the arrows at point ``step``: a line from the anchor to the tip, with an
    arrowhead (marker symbol ``arrow``, ``angleref="previous"``: it points along the segment)."""
    t = int(np.clip(step, 0, len(arrows["x"]) - 1))
    traces = []
    for arrow in arrows["arrows"]:
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": arrow["name"],
            "x": [arrows["x"][t], arrow["x"][t]], "y": [arrows["y"][t], arrow["y"][t]],
            "line": {"color": arrow["color"], "width": arrow["width"]},
            "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, 13], "color": arrow["color"],
                       "line": {"width": 0}},
            "hoverinfo": "skip", "showlegend": showlegend, "legendgroup": f"arrow-{arrow['kind']}",
            "meta": {"arrow": arrow["kind"]},
        })
    return traces


# ------------------------------------------------------------------ Polyak averaging, loss axis
def polyak_traces(trajectory, start: int = 0, colors=None, names=None, decimals: int = 6) -> list[dict]:
    """The Polyak-average path of each run, ``mean(path[start..t])``, as a dashed line in the run's colour.

    ``colors``/``names``: one per run (defaults: the palette in order, "<label> Polyak avg").
    """
    average = trajectory.polyak(start)                               # (T+1, N, 2)
    traces = []
    for run in range(trajectory.n_runs):
        colour = colors[run] if colors is not None else PALETTE[run % len(PALETTE)]
        name = names[run] if names is not None else f"{trajectory.optimizer.label} Polyak avg"
        traces.append({
            "type": "scatter", "mode": "lines", "name": name,
            "x": rounded(average[:, run, 0], decimals), "y": rounded(average[:, run, 1], decimals),
            "line": {"color": colour, "width": 2, "dash": "dash"}, "opacity": 0.9,
            "hovertemplate": f"{escape(name)}<br>step %{{pointNumber}}<extra></extra>",
        })
    return traces


def loss_axis(trajectory, by: str = "steps") -> dict:
    """x values for the loss plot: ``{"title", "x": [one list of T+1 ints per run]}``.

    ``by="steps"``: 0..T. ``by="evals"``: gradient evaluations used so far (Newton: one
    per step; L-BFGS: every inner iteration and line-search trial counts).
    """
    if by == "steps":
        x = np.broadcast_to(np.arange(trajectory.steps + 1)[:, None], trajectory.evals.shape)
        title = "step"
    elif by == "evals":
        x = trajectory.evals
        title = "gradient evaluations"
    else:
        raise ValueError(f"by must be 'steps' or 'evals', got {by!r}")
    return {"title": title, "x": [[int(v) for v in x[:, run]] for run in range(x.shape[1])]}


# ------------------------------------------------------------------ the update rule
_SEPARATORS = (r",\ ", r", \quad ", r",\quad ", r"\quad ")
_OPENING, _CLOSING = "{([", "})]"


def _split_rule(rule: str) -> list[str]:
    r"""Split a rule into equations at its top-level separators (``,\ ``, ``\quad``), never inside
    braces, parentheses or brackets."""
    parts, depth, current, i = [], 0, "", 0
    while i < len(rule):
        if depth == 0 and current.strip():
            separator = next((sep for sep in _SEPARATORS if rule.startswith(sep, i)), None)
            if separator:
                parts.append(current.strip())
                current, i = "", i + len(separator)
                continue
        char = rule[i]
        depth += (char in _OPENING) - (char in _CLOSING)
        current += char
        i += 1
    if current.strip():
        parts.append(current.strip())
    return parts


def _number(value: float) -> str:
    text = f"{value:.4g}"
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)


def _value_text(value) -> str:
    array = np.asarray(value)
    if array.dtype == bool:
        return "on" if bool(array.reshape(-1)[0]) else "off"
    if array.size > 1:
        return ", ".join(_number(v) for v in np.unique(array.astype(np.float64)))
    return _number(float(array.reshape(-1)[0]))


def rule_markdown(optimizer) -> str:
    r"""The update rule in the lecture's notation, as Markdown for ``dcc.Markdown(mathjax=True)``.

    The optimizer's name in bold, the rule split at its top-level separators
    into equations, each its own displayed ``$$...$$`` block, then
    the symbols the rule uses with this optimizer's values, e.g.
    ``$\alpha$ = lr = 0.01`` (per-run values are listed).
    """
    # One $$ block per equation: no "\\" line breaks, which Markdown could read as an escape.
    blocks = "\n".join(f"$$\n{equation}\n$$\n" for equation in _split_rule(optimizer.rule))
    symbols = optimizer.rule_symbols
    used = []
    for name, value in optimizer.hyper.items():
        symbol = symbols.get(name)
        if symbol is None or value is None or isinstance(value, str):
            continue
        if re.search(re.escape(symbol) + r"(?![A-Za-z])", optimizer.rule):
            used.append(f"${symbol}$ = {name} = {_value_text(value)}")
    text = f"**{escape(optimizer.label)}**\n\n{blocks}"
    if used:
        text += "\nwhere " + "; ".join(used) + ".\n"
    return text
