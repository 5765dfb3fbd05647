"""Thin callbacks: parse and validate -> engine -> figure builders.

One ``dcc.Store`` (``state``) is the page's source of truth. Small callbacks
each apply one kind of edit to it; one callback turns the state into
everything shown (map, loss plot, results, player payload, share link). Per-frame
animation never comes back here: ``assets/player.js`` plays the payload.

Every server callback is wrapped by :func:`guarded`: whatever is posted, a
callback answers with ``no_update`` (and a logged message) rather than a 500.
"""
from __future__ import annotations

import functools
import json
import logging
import time

from dash import ALL, MATCH, Input, Output, State, ctx, dcc, html, no_update

import optimizers
from optimizers import schedules
from webapp import controls, export, figures, validate
from webapp.compute import simulate_runs
from webapp.state import (AppState, default_run, free_color, from_query, from_store, parse_value, to_query,
                          to_store)

__all__ = ["register_callbacks", "render_page", "guarded"]

log = logging.getLogger("optiscape")
STATE = "state"


def guarded(n_outputs: int):
    """Wrap a callback so no exception escapes: on error every output is ``no_update``."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args):
            try:
                return fn(*args)
            except Exception:  # noqa: BLE001 - the server must answer, whatever was posted
                log.exception("callback %s failed", fn.__name__)
                return no_update if n_outputs == 1 else (no_update,) * n_outputs

        return wrapper

    return decorate


def _edit(data, change, bump: bool = False):
    """Apply ``change(state) -> bool`` to the stored state; ``no_update`` when nothing changed."""
    state, _ = from_store(data)
    if not change(state):
        return no_update
    if bump:
        state.revision += 1
    return to_store(state)


def _triggered():
    """(id, value) pairs of what fired this callback (several when components were just inserted)."""
    out = []
    for item in ctx.triggered or []:
        prop_id = item.get("prop_id", "")
        if prop_id in (".", ""):
            continue
        out.append((ctx.triggered_id if len(ctx.triggered) == 1 else _parse_id(prop_id), item.get("value")))
    return out


def _parse_id(prop_id: str):
    import json

    component = prop_id.rsplit(".", 1)[0]
    try:
        return json.loads(component)
    except ValueError:
        return component


def _run_index(component_id, state: AppState) -> int | None:
    if not isinstance(component_id, dict):
        return None
    index = component_id.get("run")
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(state.runs):
        return index
    return None


# ---------------------------------------------------------------- rendering (pure functions of the state)
def render_page(state: AppState, notices: list) -> dict:
    """Everything the state shows, computed once: figures, table, payload, share query."""
    surface, results, steps = simulate_runs(state, notices)
    token = time.time_ns() % 2_000_000_000
    view = state.view_box()
    page = {
        "map": figures.map_figure(surface, view, results, state.start_point(), token=token,
                                  grid_size=validate.GRID_SIZE),
        "loss": figures.loss_figure(surface, results, steps),
        "table": results_table(figures.results_rows(results, steps)),
        "payload": figures.run_payload(results, view, steps, token),
        "notices": notices_list(notices),
        "query": to_query(state),
        "legend": legend_chips(results),
        "scenario": scenario_panel(state.scenario),
    }
    from webapp.views_payload import decorate      # the lecture views that are on (arrows, side by side...)

    return decorate(page, state, surface, results, steps, view, token)


def picture_key(state: AppState, notices: list) -> str:
    """What the main picture depends on, as canonical JSON: the whole state and its notices,
    except the maps' settings (a map is computed apart, below the picture)."""
    stored = to_store(state)
    stored.pop("maps", None)
    return json.dumps([stored, [str(n) for n in notices]], sort_keys=True, default=str)


def scenario_panel(scenario_id: str | None) -> list:
    """The lecture claim a scenario link shows: title, claim, the question to predict, the takeaway folded."""
    if not scenario_id:
        return []
    from webapp import scenarios

    scenario = scenarios.get(scenario_id)
    return [html.Div([
        html.Div(f"Scenario {scenario.number}: {scenario.title}", className="scenario-title"),
        html.P(scenario.claim, className="scenario-claim"),
        html.P([html.Strong("Predict: "), scenario.predict], className="scenario-predict"),
        html.Details([html.Summary("Takeaway (after playing)"), html.P(scenario.takeaway)],
                     className="scenario-takeaway"),
    ], className="card scenario-card")]


def legend_chips(results) -> list:
    """The map's legend as HTML chips (the map itself draws runs as SVG, outside Plotly's legend)."""
    return [html.Span([html.Span(className="swatch", style={"backgroundColor": figures.PALETTE[r.spec.color %
                                                                                                 len(figures.PALETTE)]}),
                       r.label], className="legend-chip" + ("" if r.spec.visible else " hidden-run"))
            for r in results]


def results_table(rows: list[dict]) -> html.Table:
    head = html.Thead(html.Tr([html.Th(t) for t in ("Run", "Final loss", "Distance to min", "Steps to 1e-3",
                                                      "Status")]))
    body = html.Tbody([
        html.Tr([
            html.Td([html.Span(className="swatch", style={"backgroundColor": row["color"]}), row["run"]]),
            html.Td(row["final_loss"], className="num"),
            html.Td(row["distance"], className="num"),
            html.Td(row["steps_to_tolerance"], className="num"),
            html.Td(row["status"], className="status diverged" if row["diverged"] else "status"),
        ]) for row in rows
    ])
    return html.Table([head, body], className="results")


def notices_list(notices: list) -> list:
    if not notices:
        return []
    unique = list(dict.fromkeys(notices))[:12]
    return [html.Ul([html.Li(text) for text in unique])]


def surface_formula(state: AppState):
    surface = state.landscape()
    return dcc.Markdown(f"$$f(x, y) = {surface.formula}$$", mathjax=True), surface.note


# ---------------------------------------------------------------- registration
def register_callbacks(app) -> None:
    _register_url(app)
    _register_render(app)
    _register_scenario_pick(app)
    _register_surface_edits(app)
    _register_start_edits(app)
    _register_run_edits(app)
    _register_outputs(app)
    _register_clientside(app)


def _register_url(app):
    @app.callback(Output(STATE, "data"), Input("url", "search"), State(STATE, "data"))
    @guarded(1)
    def load_from_url(search, data):
        """Opening (or navigating to) a link: the query string becomes the state."""
        if not isinstance(search, str):
            search = ""
        if isinstance(data, dict):
            current, _ = from_store(data)
            if search and to_query(current) == search:
                return no_update
        state, notices = from_query(search)
        previous = data.get("revision", 0) if isinstance(data, dict) else 0
        state.revision = validate.integer(previous, 0, 2**31 - 2, 0) + 1
        stored = to_store(state)
        stored["notices"] = notices
        return stored


def _register_render(app):
    @app.callback(
        Output("runs-panel", "children"), Output("surface-params", "children"), Output("surface-picker", "value"),
        Output("start-x", "value"), Output("start-y", "value"), Output("steps-input", "value"),
        Output("rendered-revision", "data"), Output("scenario-picker", "value"),
        Input(STATE, "data"), State("rendered-revision", "data"),
    )
    @guarded(8)
    def render_controls(data, rendered):
        """Rebuild the control panels after structural edits only (so typing never loses focus)."""
        state, _ = from_store(data)
        if state.revision == rendered:
            return (no_update,) * 8
        can_add = len(state.runs) < validate.MAX_RUNS
        cards = [controls.run_card(run, i, run.name(), can_add) for i, run in enumerate(state.runs)]
        if not cards:
            cards = [html.P("No runs yet: add one below.", className="hint")]
        import landscapes

        x, y = state.start_point()
        return (cards, controls.surface_controls(landscapes.schema(state.surface), state.surface_params),
                state.surface, x, y, state.steps, state.revision, state.scenario)



def _register_scenario_pick(app):
    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("scenario-picker", "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def pick_scenario(scenario_id, data):
        """A lecture scenario replaces the whole page with its state (its share link)."""
        current, _ = from_store(data)
        if scenario_id == current.scenario:
            return no_update
        if scenario_id is None:                 # cleared: keep the page, drop the caption
            current.scenario = None
            return to_store(current)
        from webapp import scenarios

        if not isinstance(scenario_id, str) or scenario_id not in scenarios.ids():
            return no_update
        state, notices = from_query(scenarios.share_query(scenarios.get(scenario_id)))
        state.revision = current.revision + 1
        stored = to_store(state)
        stored["notices"] = notices
        return stored


def _register_surface_edits(app):
    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("surface-picker", "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def pick_surface(name, data):
        import landscapes

        def change(state):
            if not isinstance(name, str) or name not in landscapes.names() or name == state.surface:
                return False
            state.surface = name
            state.surface_params = {p.name: p.default for p in landscapes.schema(name)}
            state.start = None
            state.view = None
            return True

        return _edit(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Input({"type": "surface-param", "name": ALL}, "value"),
                  Input({"type": "surface-param-option", "name": ALL}, "value"), State(STATE, "data"),
                  prevent_initial_call=True)
    @guarded(1)
    def edit_surface_param(_values, _options, data):
        import landscapes

        def change(state):
            schema = {p.name: p for p in landscapes.schema(state.surface)}
            changed = False
            for component_id, value in _triggered():
                name = component_id.get("name") if isinstance(component_id, dict) else None
                if name not in schema:
                    continue
                value = _from_control(schema[name], value)
                if value is None:
                    continue
                new = validate.param_value(schema[name], value, "surface", [])
                if new != state.surface_params.get(name):
                    candidate = {**state.surface_params, name: new}
                    try:
                        landscapes.get(state.surface, **candidate)
                    except ValueError:
                        continue
                    state.surface_params = candidate
                    changed = True
            return changed

        return _edit(data, change)

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("map-graph", "relayoutData"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def zoom(relayout, data):
        """Zooming re-samples the contour over the new view box; a double-click (autorange) restores it."""
        if not isinstance(relayout, dict):
            return no_update

        def change(state):
            if relayout.get("xaxis.autorange") or relayout.get("yaxis.autorange"):
                if state.view is None:
                    return False
                state.view = None
                return True
            keys = ("xaxis.range[0]", "xaxis.range[1]", "yaxis.range[0]", "yaxis.range[1]")
            given = dict(relayout)
            for axis in ("xaxis", "yaxis"):          # Plotly.relayout({"xaxis.range": [a, b]}) form
                pair = given.get(f"{axis}.range")
                if isinstance(pair, list) and len(pair) == 2:
                    given[f"{axis}.range[0]"], given[f"{axis}.range[1]"] = pair
            current = state.view_box()
            box = [given.get(k, current[i]) for i, k in enumerate(keys)]
            if not any(k in given for k in keys):
                return False
            box = validate.view_box(box, [])
            if box is None or tuple(box) == tuple(current):
                return False
            state.view = box
            return True

        return _edit(data, change)


def _from_control(param, value):
    """A control's raw value as the schema's type: checklists -> bool, dropdown text -> choice; None if empty."""
    if param.kind == "bool":
        return bool(value) if isinstance(value, list) else value
    if param.kind == "choice":
        return parse_value(param, value) if isinstance(value, str) else value
    return value


def _register_start_edits(app):
    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("start-x", "value"), Input("start-y", "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def type_start(x, y, data):
        if validate.number(x) is None or validate.number(y) is None:
            return no_update

        def change(state):
            point = validate.point([x, y], [])
            if point is None or tuple(point) == tuple(state.start_point()):
                return False
            state.start = point
            return True

        return _edit(data, change)

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("map-click", "data"), State(STATE, "data"),
                  prevent_initial_call=True)
    @guarded(1)
    def click_start(click, data):
        if not isinstance(click, dict):
            return no_update

        def change(state):
            point = validate.point([click.get("x"), click.get("y")], [])
            if point is None:
                return False
            state.start = point
            return True

        return _edit(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("start-reset", "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def reset_start(n_clicks, data):
        if not n_clicks:
            return no_update

        def change(state):
            state.start = None
            return True

        return _edit(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("steps-input", "value"), State(STATE, "data"),
                  prevent_initial_call=True)
    @guarded(1)
    def set_steps(value, data):
        if validate.number(value) is None:
            return no_update

        def change(state):
            steps = validate.steps(value, [])
            if steps == state.steps:
                return False
            state.steps = steps
            return True

        return _edit(data, change)


def _register_run_edits(app):
    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("add-run", "n_clicks"),
                  State("add-optimizer", "value"), State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def add_run(n_clicks, name, data):
        if not n_clicks:
            return no_update

        def change(state):
            if len(state.runs) >= validate.MAX_RUNS:
                return False
            chosen = name if name in optimizers.names() else optimizers.names()[0]
            state.runs.append(default_run(chosen, color=free_color(state.runs)))
            return True

        return _edit(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Input({"type": "run-visible", "run": ALL}, "n_clicks"),
                  Input({"type": "run-duplicate", "run": ALL}, "n_clicks"),
                  Input({"type": "run-remove", "run": ALL}, "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def run_buttons(_visible, _duplicate, _remove, data):
        """Hide/show, duplicate or remove one run."""
        def change(state):
            for component_id, clicks in _triggered():
                index = _run_index(component_id, state)
                if index is None or not clicks:
                    continue
                kind = component_id.get("type")
                if kind == "run-visible":
                    state.runs[index].visible = not state.runs[index].visible
                elif kind == "run-duplicate" and len(state.runs) < validate.MAX_RUNS:
                    copy = from_store({"runs": [to_store(AppState(runs=[state.runs[index]]))["runs"][0]]})[0].runs[0]
                    copy.color = free_color(state.runs)
                    state.runs.insert(index + 1, copy)
                elif kind == "run-remove":
                    del state.runs[index]
                else:
                    continue
                return True
            return False

        return _edit(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Input({"type": "run-optimizer", "run": ALL}, "value"),
                  Input({"type": "run-schedule", "run": ALL}, "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def run_structure(_optimizers, _schedules, data):
        """Changing a run's optimizer or schedule: new controls, starting from that one's defaults."""
        def change(state):
            changed = False
            for component_id, value in _triggered():
                index = _run_index(component_id, state)
                if index is None or not isinstance(value, str):
                    continue
                run = state.runs[index]
                if component_id.get("type") == "run-optimizer" and value in optimizers.names() \
                        and value != run.optimizer:
                    fresh = default_run(value, color=run.color)
                    fresh.schedule, fresh.schedule_params = run.schedule, run.schedule_params
                    fresh.noise, fresh.seed, fresh.visible = run.noise, run.seed, run.visible
                    state.runs[index] = fresh
                    changed = True
                elif component_id.get("type") == "run-schedule" and value in schedules.names() \
                        and value != run.schedule:
                    run.schedule = value
                    run.schedule_params = {p.name: p.default for p in schedules.schema(value)}
                    changed = True
            return changed

        return _edit(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Input({"type": "hyper", "run": ALL, "name": ALL}, "value"),
                  Input({"type": "hyper-option", "run": ALL, "name": ALL}, "value"),
                  Input({"type": "sched-param", "run": ALL, "name": ALL}, "value"),
                  Input({"type": "sched-param-option", "run": ALL, "name": ALL}, "value"),
                  Input({"type": "run-noise", "run": ALL}, "value"),
                  Input({"type": "run-seed", "run": ALL}, "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def run_values(_hyper, _hyper_options, _sched, _sched_options, _noise, _seed, data):
        """One hyperparameter, schedule parameter, noise level or seed of one run."""
        def change(state):
            changed = False
            for component_id, value in _triggered():
                index = _run_index(component_id, state)
                if index is None:
                    continue
                changed |= _apply_run_value(state.runs[index], component_id, value)
            return changed

        return _edit(data, change)


def _apply_run_value(run, component_id: dict, value) -> bool:
    kind = str(component_id.get("type", "")).removesuffix("-option")
    if kind in ("run-noise", "run-seed"):
        if validate.number(value) is None:
            return False
        if kind == "run-noise":
            new = validate.noise(value, [])
            changed, run.noise = new != run.noise, new
        else:
            new = validate.seed(value, [])
            changed, run.seed = new != run.seed, new
        return changed
    if kind == "hyper":
        schema, values, build = optimizers.schema(run.optimizer), run.hyper, \
            (lambda v: optimizers.get(run.optimizer, **v))
    elif kind == "sched-param":
        schema, values, build = schedules.schema(run.schedule), run.schedule_params, \
            (lambda v: schedules.get(run.schedule, **v))
    else:
        return False
    params = {p.name: p for p in schema}
    name = component_id.get("name")
    if name not in params:
        return False
    raw = _from_control(params[name], value)
    automatic = raw is None and params[name].default is None      # an emptied box means "auto"
    if not automatic and (raw is None or (params[name].kind in ("float", "int") and validate.number(raw) is None)):
        return False
    new = validate.param_value(params[name], raw, "run", [])
    if new == values.get(name):
        return False
    candidate = {**values, name: new}
    try:
        build(candidate)            # cross-parameter checks, e.g. Nesterov needs momentum > 0
    except ValueError:
        return False
    values[name] = new
    return True


def _register_outputs(app):
    @app.callback(
        Output("map-graph", "figure"), Output("loss-graph", "figure"), Output("results-table", "children"),
        Output("payload", "data"), Output("notices", "children"), Output("share-query", "data"),
        Output("map-legend", "children"), Output("scenario-panel", "children"), Output("rendered-key", "data"),
        # the surface's formula and note ride along: one request per change instead of two
        Output("surface-formula", "children"), Output("surface-note", "children"),
        Input(STATE, "data"), State("rendered-key", "data"),
    )
    def show(data, rendered_key):
        """The state -> every trajectory once -> figures, table, player payload and share link."""
        try:
            state, notices = from_store(data)
            notices = [str(n)[:300] for n in (data.get("notices") or [])[:20]] + notices \
                if isinstance(data, dict) and isinstance(data.get("notices"), list) else notices
            key = picture_key(state, notices)
            if key == rendered_key:
                # only the maps' settings changed: the picture (and a playing animation) stays as it is
                return (no_update,) * 5 + (to_query(state),) + (no_update,) * 5
            page = render_page(state, notices)
            return (page["map"], page["loss"], page["table"], page["payload"], page["notices"], page["query"],
                    page["legend"], page["scenario"], key, *surface_formula(state))
        except Exception:  # noqa: BLE001
            log.exception("rendering the state failed")
            message = notices_list(["Something went wrong computing this view; please change a setting "
                                    "or reset the page."])
            return (no_update,) * 4 + (message,) + (no_update,) * 6

    @app.callback(Output("download-csv", "data"), Input("download-csv-button", "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def download_csv(n_clicks, data):
        if not n_clicks:
            return no_update
        state, notices = from_store(data)
        surface, results, steps = simulate_runs(state, notices)
        return dcc.send_string(export.csv_text(results), f"optiscape-{state.surface}.csv")

    @app.callback(Output("download-html", "data"), Input("download-html-button", "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def download_html(n_clicks, data):
        if not n_clicks:
            return no_update
        state, notices = from_store(data)
        page = render_page(state, notices)
        title = f"optiscape: {state.landscape().label}"
        return dcc.send_string(export.standalone_html(page["map"], page["loss"], page["payload"], title),
                               f"optiscape-{state.surface}.html")


def _register_clientside(app):
    app.clientside_callback(
        "function(payload) { return window.dash_clientside.player.load(payload); }",
        Output("player-sink", "data"), Input("payload", "data"), prevent_initial_call=True)
    # each run card's readable name follows its settings (the cards are not re-rendered on value edits);
    # clientside, because an ALL output with no cards yet is a request Dash cannot parse
    app.clientside_callback(
        "function(payload, shown) { return window.dash_clientside.player.runNames(payload, shown); }",
        Output({"type": "run-name", "run": ALL}, "children"), Input("payload", "data"),
        State({"type": "run-name", "run": ALL}, "children"), prevent_initial_call=True)
    app.clientside_callback(
        "function(query) { return window.dash_clientside.player.shareUrl(query); }",
        Output("share-link", "value"), Input("share-query", "data"), prevent_initial_call=True)
    app.clientside_callback(
        "function(n) { var on = n % 2 === 1; window.dash_clientside.player.projector(on); "
        "return on ? 'app projector' : 'app'; }",
        Output("root", "className"), Input("contrast-toggle", "n_clicks"), prevent_initial_call=True)
    for kind in controls.CONTROL_KINDS:
        # slider <-> number box of one numeric parameter, in the browser (no round trip)
        keys = {"run": MATCH, "name": MATCH} if kind != "surface-param" else {"name": MATCH}
        app.clientside_callback(
            "function(s, v, cls, lo) { return window.dash_clientside.player.syncSlider(s, v, cls, lo); }",
            Output({"type": kind + "-slider", **keys}, "value"), Output({"type": kind, **keys}, "value"),
            Input({"type": kind + "-slider", **keys}, "value"), Input({"type": kind, **keys}, "value"),
            State({"type": kind + "-slider", **keys}, "className"), State({"type": kind + "-slider", **keys}, "min"),
            prevent_initial_call=True)
