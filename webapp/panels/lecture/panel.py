"""The "View" control group and the lecture-view cards (inner state, 3D), with their thin callbacks.

Every toggle edits ``state.views`` (so it is in the share link, see :mod:`webapp.state.view_options`,
and :mod:`webapp.panels.lecture.edits`); the one answer then draws the map, loss plot and payload with
the views on (:func:`webapp.panels.lecture.payload.decorate`) and fills the two
cards. The player (``assets/player.js``) moves everything per frame: arrows, panels, the inner-state
cursor and read-out, and the 3D markers.
"""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, dcc, html

from webapp.compute import simulate_runs
from webapp.figures.stage import equal_aspect
from webapp.i18n import t
from webapp.panels.lecture.payload import inner_figure, threed_figure
from webapp.state.model import DEFAULT_POLYAK_DECAY
from webapp.state.view_options import FLAGS, view_settings

__all__ = ["view_bar", "view_cards", "register", "toggles_to_settings", "settings_to_controls", "view_controls",
           "view_cards_content", "decay_box", "shown_decay", "ARROW_LEGEND"]

TOGGLES = ("arrows", "field", "polyak", "inner", "threed", "robust")        # their labels: views.<key> in the catalogs
ARROW_LEGEND = [("gradient", "#c0392b"), ("velocity", "#6a3d9a"), ("step", "#111111")]   # views.arrow_<key>


def view_bar(lang: str = "en") -> html.Div:
    """A compact row above the map: overlay / side by side, view toggles, the loss plot's x axis."""
    return html.Div([
        html.Span(t("views.title", lang), className="view-bar-title", **{"data-names": "view-mode"}),
        html.Span(t("a11y.view_toggles", lang), className="visually-hidden", **{"data-names": "view-toggles"}),
        dcc.RadioItems(id="view-mode", options=[{"label": t("views.overlay", lang), "value": "overlay"},
                                                {"label": t("views.side", lang), "value": "side"}],
                       value="overlay", inline=True, className="view-radio"),
        dcc.Checklist(id="view-toggles", options=[{"label": t(f"views.{key}", lang), "value": key} for key in TOGGLES],
                      value=[], inline=True, className="view-checks"),
        decay_box(lang),
        html.Span(dcc.Checklist(id="view-aspect", options=[{"label": t("views.aspect", lang), "value": "equal"}],
                                value=[], inline=True, className="view-checks"), title=t("views.aspect_title", lang)),
        html.Span([html.Span(t("views.loss_x", lang), className="view-bar-title"),
                   dcc.RadioItems(id="loss-x", options=[{"label": t("views.loss_steps", lang), "value": "steps"},
                                                        {"label": t("views.loss_evals", lang), "value": "evals"}],
                                  value="steps", inline=True, className="view-radio")],
                  className="loss-x", title=t("views.loss_x_title", lang)),
        html.Span([html.Span([html.Span(className="arrow-swatch", style={"backgroundColor": colour}),
                              t(f"views.arrow_{key}", lang)], className="arrow-key") for key, colour in ARROW_LEGEND]
                  # shown by CSS (assets/views.css) while a run on the map draws its look-ahead (Nesterov)
                  + [html.Span([html.Span(className="arrow-swatch lookahead-swatch"), t("views.arrow_lookahead", lang)],
                               className="arrow-key lookahead-key")],
                  id="arrow-legend", className="arrow-legend", style={"display": "none"}),
    ], className="view-bar", id="view-bar")


def decay_box(lang: str = "en") -> html.Span:
    """The Polyak EMA's decay (``polyak_decay``), shown while the Polyak overlay is on. A text box: what
    is typed reaches the server as typed, so a refusal can say what was refused."""
    return html.Span([html.Label(t("views.polyak_decay", lang), htmlFor="polyak-decay"),
                      dcc.Input(id="polyak-decay", type="text", inputMode="decimal", debounce=True, size="6",
                                value=shown_decay(DEFAULT_POLYAK_DECAY), className="param-number polyak-decay")],
                     id="polyak-decay-box", className="polyak-decay-box", title=t("views.polyak_decay_title", lang),
                     style={"display": "none"})


def shown_decay(value: float) -> str:
    """The decay as the box and the link write it (12 significant digits: 0.9999999 stays below 1)."""
    return f"{value:.12g}"


def view_cards(lang: str = "en") -> list:
    """The inner-state card and the 3D card (hidden until turned on)."""
    inner = html.Div([
        html.Div([
            html.H2(t("views.inner_title", lang), className="card-title"),
            dcc.Dropdown(id="inner-run", options=[{"label": t("views.all_runs", lang), "value": "all"}], value="all",
                         clearable=False, searchable=False, className="inner-run"),
        ], className="inner-head"),
        html.Div(id="inner-readout", className="inner-readout",
                 **{"aria-live": "off", "data-step": t("views.readout_step", lang),
                    "data-step-length": t("views.readout_step_length", lang),
                    "data-effective": t("views.readout_effective", lang),
                    "data-bars-title": t("views.readout_bars", lang)}),
        dcc.Graph(id="inner-graph", className="inner-graph", figure={"data": [], "layout": {}},
                  config={"displaylogo": False, "displayModeBar": False}),
        dcc.Store(id="inner-data"),
        dcc.Store(id="inner-sink"),
    ], className="card inner-card", id="inner-card", style={"display": "none"})
    threed = html.Div([
        html.H2(t("views.threed_title", lang), className="card-title"),
        dcc.Graph(id="threed-graph", className="threed-graph", figure={"data": [], "layout": {}},
                  config={"displaylogo": False}),
        dcc.Store(id="threed-sink"),
    ], className="card threed-card", id="threed-card", style={"display": "none"})
    return [inner, threed]


def toggles_to_settings(current: dict, mode, toggles, loss_x, inner_run) -> dict:
    """The view settings after the controls changed (text values as in the URL)."""
    given = dict(current)
    given["view_mode"] = mode if isinstance(mode, str) else "overlay"
    chosen = set(toggles) if isinstance(toggles, list) else set()
    for flag in FLAGS:
        given[flag] = "1" if flag in chosen else ""
    given["loss_x"] = loss_x if isinstance(loss_x, str) else "steps"
    given["inner_run"] = inner_run if isinstance(inner_run, str) and inner_run != "all" else ""
    return view_settings(given)


def aspect_setting(current, view, checked) -> dict:
    """The view settings after the "1:1 axes" box changed: ``aspect`` is left out (auto) when the box
    says what the view box gets by default (:func:`webapp.figures.stage.equal_aspect`)."""
    wanted = isinstance(checked, list) and "equal" in checked
    text = dict(view_settings(current).link_text())
    text["aspect"] = "" if wanted == equal_aspect(view, "auto") else ("equal" if wanted else "free")
    return view_settings(text)


def settings_to_controls(settings: dict) -> tuple:
    chosen = view_settings(settings)
    return ("side" if chosen.side else "overlay", [flag for flag in FLAGS if flag in settings],
            "evals" if chosen.loss_by_evals else "steps",
            str(chosen.inner_run + 1) if chosen.inner_run is not None else "all")


def view_controls(state) -> dict:
    """The View bar's controls and the cards' visibility, following the state (a link or a scenario sets them)."""
    mode, toggles, loss_x, inner_run = settings_to_controls(state.views)
    runs = [{"label": t("views.all_runs", state.lang), "value": "all"}] + [
        {"label": f"{i + 1}. {run.name()}", "value": str(i + 1)} for i, run in enumerate(state.runs)]
    if inner_run != "all" and int(inner_run) > len(state.runs):
        inner_run = "all"
    shown, hidden = {}, {"display": "none"}
    equal = equal_aspect(state.view_box(), view_settings(state.views).aspect)
    return {"view_mode": mode, "view_toggles": toggles, "view_aspect": ["equal"] if equal else [],
            "loss_x": loss_x, "inner_run_options": runs,
            "inner_run": inner_run, "inner_card": shown if "inner" in toggles else hidden,
            "threed_card": shown if "threed" in toggles else hidden,
            "arrow_legend": {"display": "inline-flex"} if "arrows" in toggles else hidden,
            "polyak_decay": shown_decay(view_settings(state.views).polyak_decay),
            "polyak_decay_box": {"display": "inline-flex"} if "polyak" in toggles else hidden}


def view_cards_content(state, notices: list) -> dict:
    """The inner-state panel (one run or all) and the 3D surface, when they are on (the runs come from
    the cache the picture was just computed into)."""
    chosen = view_settings(state.views)
    if not (chosen.inner or chosen.threed):
        return {"inner_data": None}
    surface, results, _ = simulate_runs(state, notices)
    out = {"inner_data": None}
    if chosen.inner:
        out["inner_graph"], out["inner_data"] = inner_figure(state, results, chosen.inner_run)
    if chosen.threed:
        out["threed_graph"] = threed_figure(surface, state.view_box(), results)
    return out


def register(app) -> None:
    """The cards' browser side: the player follows the inner-state data and the 3D scene."""
    app.clientside_callback(ClientsideFunction("optiscape", "inner"),
                            Output("inner-sink", "data"), Input("inner-data", "data"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("optiscape", "threed"),
                            Output("threed-sink", "data"), Input("threed-graph", "figure"), prevent_initial_call=True)
