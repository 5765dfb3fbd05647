"""The one server callback: an edit in, everything that changed out, in one request.

Every panel lists its edits (:class:`~webapp.panels.edits.Edit`: an input and the function that
applies it to the state). :func:`register` wires all of them as the inputs of one callback, with
dict-based signatures. Each request:

1. reads the stored state (re-validated: anyone can post) and what is on screen (``rendered``);
2. applies the edit that fired (on page load: the link), collecting the notices of every value
   it clamped or refused, placed next to their controls;
3. answers only what changed: the picture (loss plot, table, runs payload, share link) when
   what it depends on changed, and the map figure (the contour) only when the surface, its parameters,
   the view box or the map's layout changed (``rendered["map"]``: the key of the map on screen); the run cards when the edit was structural or refused a value (so
   every control shows the value in force); the simple boxes; the View bar and its cards; the
   Maps panel's controls, and ``maps-request`` when the map asked for may have changed (the map
   itself is computed by its own request, with progress and Cancel).

Everything else an edit triggers runs in the browser (the player, run names, slider <-> box,
the share URL): one edit, one request.
"""
from __future__ import annotations

import copy
import json
import re
import time

from dash import Input, Output, State, ctx, no_update

from webapp import i18n
from webapp.panels import follow
from webapp.panels.edits import EditContext
from webapp.panels.header.edits import EDITS as HEADER_EDITS
from webapp.panels.lecture.edits import EDITS as LECTURE_EDITS
from webapp.panels.lecture.panel import view_cards_content, view_controls
from webapp.panels.maps.callbacks import control_values as maps_control_values
from webapp.panels.maps.callbacks import messages_list, panel_controls
from webapp.panels.maps.edits import EDITS as MAPS_EDITS
from webapp.panels.room.handout import refusal as handout_refusal
from webapp.panels.runs.edits import EDITS as RUNS_EDITS
from webapp.panels.stage.render import notices_list, picture_key, render_page
from webapp.panels.start_view.edits import EDITS as START_VIEW_EDITS
from webapp.panels.start_view.layout import NOTICE_IDS
from webapp.panels.start_view.view_box import VIEW_IDS
from webapp.panels.surface.edits import EDITS as SURFACE_EDITS
from webapp.panels.surface.layout import surface_formula
from webapp.panels.torch_code.edits import EDITS as TORCH_EDITS
from webapp.panels.tune.edits import EDITS as TUNE_EDITS
from webapp.panels.wiring import STATE, log
from webapp.state import coerce, from_store, to_query, to_store

__all__ = ["register", "EDITS", "OUTPUTS", "answer"]

EDITS = (*HEADER_EDITS, *SURFACE_EDITS, *START_VIEW_EDITS, *RUNS_EDITS, *LECTURE_EDITS, *MAPS_EDITS,
         *TUNE_EDITS, *TORCH_EDITS)
_BY_KEY = {edit.key: edit for edit in EDITS}
assert len(_BY_KEY) == len(EDITS), "edit keys are unique"

OUTPUTS = {
    "state": (STATE, "data"), "rendered": ("rendered", "data"),
    # the stage
    "map": ("map-graph", "figure"), "loss": ("loss-graph", "figure"), "table": ("results-table", "children"),
    "payload": ("payload", "data"), "notices": ("notices", "children"), "share": ("share-query", "data"),
    "legend": ("map-legend", "children"), "caption": ("scenario-panel", "children"),
    "formula": ("surface-formula", "children"), "note": ("surface-note", "children"),
    # the controls
    "runs_panel": ("runs-panel", "children"), "surface_params": ("surface-params", "children"),
    "add_run_disabled": ("add-run", "disabled"),
    "surface_picker": ("surface-picker", "value"), "start_x": ("start-x", "value"), "start_y": ("start-y", "value"),
    "steps_input": ("steps-input", "value"), "scenario_picker": ("scenario-picker", "value"),
    "surface_notice": ("surface-notice", "children"),
    **{f"{place}_notice": (NOTICE_IDS[place], "children") for place in ("start", "steps", "view")},
    **{component.replace("-", "_"): (component, "value") for component in VIEW_IDS},
    # the View bar and its cards
    "view_mode": ("view-mode", "value"), "view_toggles": ("view-toggles", "value"),
    "view_aspect": ("view-aspect", "value"), "loss_x": ("loss-x", "value"),
    "inner_run_options": ("inner-run", "options"), "inner_run": ("inner-run", "value"),
    "inner_card": ("inner-card", "style"), "threed_card": ("threed-card", "style"),
    "arrow_legend": ("arrow-legend", "style"), "inner_graph": ("inner-graph", "figure"),
    "polyak_decay": ("polyak-decay", "value"), "polyak_decay_box": ("polyak-decay-box", "style"),
    "inner_data": ("inner-data", "data"), "threed_graph": ("threed-graph", "figure"),
    # the Maps panel
    "maps_runs_options": ("maps-runs", "options"), "maps_x_options": ("maps-x", "options"),
    "maps_y_options": ("maps-y", "options"), "maps_kind": ("maps-kind", "value"), "maps_runs": ("maps-runs", "value"),
    "maps_grid": ("maps-grid", "value"), "maps_steps": ("maps-steps", "value"),
    "maps_basin_color": ("maps-basin-color", "value"), "maps_x": ("maps-x", "value"), "maps_y": ("maps-y", "value"),
    "maps_side": ("maps-side", "value"), "maps_sens_color": ("maps-sens-color", "value"),
    "maps_open": ("maps-details", "open"), "maps_request": ("maps-request", "data"),
    # the Tune card
    "tune_report": ("tune-report", "children"),
    # seed clouds
    "cloud_card": ("cloud-card", "style"), "cloud_graph": ("cloud-graph", "figure"),
    # Copy as PyTorch
    "torch_snippet": ("torch-snippet", "value"), "torch_status": ("torch-status", "children"),
    "torch_open": ("torch-details", "open"),
}
# which simple control an edit types into: it is not written back while the user types (no notice)
_TYPED_INTO = {"start_x": ("start_x",), "start_y": ("start_y",), "steps": ("steps_input",),
               **{key.replace("-", "_"): (key.replace("-", "_"),) for key in VIEW_IDS}}


def _extra_states() -> dict:
    """Every value an edit reads as a state, once: ``"component.prop"`` -> (component, prop)."""
    found = {}
    for edit in EDITS:
        for component, prop in edit.extra.values():
            found[f"{component}.{prop}"] = (component, prop)
    return found


EXTRA = _extra_states()


def _matches(edit, component_id, prop: str) -> bool:
    if prop != edit.prop:
        return False
    if isinstance(edit.component, dict):
        return isinstance(component_id, dict) and component_id.get("type") == edit.component["type"]
    return component_id == edit.component


def _fired() -> list:
    """``(edit, component id, value)`` for what fired this request (several when components were inserted)."""
    out = []
    for item in ctx.triggered or []:
        prop_id = item.get("prop_id", "")
        if prop_id in (".", ""):
            continue
        component, _, prop = prop_id.rpartition(".")
        try:
            component_id = json.loads(component) if component.startswith("{") else component
        except ValueError:
            continue
        for edit in EDITS:
            if _matches(edit, component_id, prop):
                out.append((edit, component_id, item.get("value")))
                break
    return out


def _place_notices(texts: list) -> list:
    return [str(text)[:300] for text in texts][:20]


def answer(stored, rendered, extra: dict, fired: list, search=None) -> dict:
    """The whole answer as a dict of :data:`OUTPUTS` keys (absent keys: no update). Pure apart from the cache.

    ``stored``: the state store's data; ``rendered``: what is on screen (``{"revision", "picture",
    "maps", "views", "runs"}``); ``extra``: the extra states by ``"component.prop"``; ``fired``:
    ``[(edit, component_id, value)]``; ``search``: the URL's query, used on page load (nothing fired and
    nothing stored yet). Nothing fired with a stored state: that state is drawn (re-validated).
    """
    rendered = rendered if isinstance(rendered, dict) else {}
    state, page_notices = from_store(stored)
    placed: dict = {}
    outputs: dict = {}
    changed = structural = False
    typed: set = set()
    if not fired and stored is None:                # page load: the link is the state
        fired = [(_BY_KEY["link"], "url", search)]
    for edit, component_id, value in fired:
        refused = handout_refusal(state, edit.key, component_id)
        kept = copy.deepcopy(state) if refused else None
        context = EditContext(state=state, value=value, component_id=component_id,
                              extra={name: extra.get(f"{c}.{p}") for name, (c, p) in edit.extra.items()})
        did = edit.apply(context)
        if refused:           # a handout link locks this control: the state is kept, the control shows its value
            state = kept
            if did:
                page_notices.append(refused)
                structural = True
            continue
        state = context.state
        changed |= did
        structural |= (did and (edit.structural or context.structural)) or bool(context.notices)
        for place, texts in context.notices.items():
            placed.setdefault(place, []).extend(texts)
        page_notices.extend(context.page_notices)
        outputs.update(context.outputs)
        if not context.notices:
            typed.update(_TYPED_INTO.get(edit.key, ()))
    first = not rendered
    if not (changed or structural or placed or outputs or first):
        return {}
    if structural or first:
        state.revision = coerce.integer(state.revision, 0, 2**31 - 2, 0) + 1
    out: dict = {"state": to_store(state)}

    # ---------------------------------------------------------------- the picture
    key = picture_key(state, page_notices)
    # parts that change less often than the picture are sent only when they change (MathJax re-typesets
    # the formula, the caption re-renders): the formula with the surface, the legend with the runs' names
    parts = {"formula": json.dumps([state.surface, state.surface_params], sort_keys=True, default=str),
             "legend": json.dumps([[r.name(), r.color, r.visible] for r in state.runs]),
             "caption": json.dumps([state.scenario, to_query(state) if state.scenario else ""])}
    drawn = rendered.get("parts") or {}
    map_shown = rendered.get("map")
    if key != rendered.get("picture"):
        notices = list(page_notices)
        page = render_page(state, notices, map_on_screen=map_shown)
        map_shown = page["map_key"]
        if "map" in page:                # the contour only when the surface, its parameters or the view changed
            out["map"] = page["map"]
        out.update(loss=page["loss"], table=page["table"], payload=page["payload"],
                   notices=notices_list(notices, state.lang))
        if parts["legend"] != drawn.get("legend"):
            out["legend"] = page["legend"]
        if parts["caption"] != drawn.get("caption"):
            out["caption"] = page["scenario"]
        out.update(view_cards_content(state, []))
        out["cloud_card"] = {} if page["clouds"] else {"display": "none"}
        if page["clouds"]:
            out["cloud_graph"] = page["clouds"]
    if parts["formula"] != drawn.get("formula"):
        out["formula"], out["note"] = surface_formula(state)
    out["share"] = to_query(state)

    # ---------------------------------------------------------------- the controls
    if state.revision != rendered.get("revision"):
        out.update(follow.control_cards(state, placed))
    values = follow.control_values(state, placed)          # plain values and notice texts
    if "surface_error" in outputs:          # a formula's mistake (with its caret) is the Surface card's notice
        values["surface_notice"] = [str(getattr(c, "children", ""))[:300] for c in outputs["surface_error"]]
    shown = rendered.get("values") or {}
    changed_values = {k: v for k, v in values.items() if k not in typed and (first or shown.get(k) != v)}
    out.update(changed_values)
    for place in follow.NOTICE_PLACES:
        if f"{place}_notice" in out:
            out[f"{place}_notice"] = follow.notice_lines(out[f"{place}_notice"])
    if "surface_notice" in out and outputs.get("surface_error"):
        out["surface_notice"] = outputs["surface_error"]

    # ---------------------------------------------------------------- the View bar
    if state.views != rendered.get("views") or first or state.revision != rendered.get("revision") or \
            outputs.get("views_refused"):
        out.update(view_controls(state))

    # ---------------------------------------------------------------- the Maps panel
    runs_key = [r.name() for r in state.runs]
    if runs_key != rendered.get("runs") or first:
        options = panel_controls(state)
        out.update(maps_runs_options=options["runs"], maps_x_options=options["params"],
                   maps_y_options=options["params"])
    if state.maps != rendered.get("maps") or "maps_in_force" in outputs:
        maps_shown = maps_control_values(state)
        if maps_shown is not None:
            keys = ("maps_kind", "maps_runs", "maps_grid", "maps_steps", "maps_basin_color", "maps_x", "maps_y",
                    "maps_side", "maps_sens_color")
            out.update(dict(zip(keys, maps_shown)), maps_open=True)
    if "maps_messages" in outputs or (state.maps or rendered.get("maps")) and (
            key != rendered.get("picture") or state.maps != rendered.get("maps")):
        out["maps_request"] = {"state": out["state"], "messages": _place_notices([i18n.localize(m, state.lang)
                                                                  for m in outputs.get("maps_messages", [])]),
                               "nonce": time.time_ns() if outputs.get("maps_recompute") else None}
    out.update({key: outputs[key] for key in ("tune_report", "torch_snippet", "torch_status", "torch_open")
                if key in outputs})
    out["rendered"] = {"revision": state.revision, "picture": key, "map": map_shown, "maps": state.maps,
                       "views": state.views,
                       "runs": runs_key, "values": {**shown, **changed_values},
                       "parts": parts if key != rendered.get("picture") else {**drawn, "formula": parts["formula"]}}
    return out


def register(app) -> None:
    inputs = {edit.key: Input(edit.component, edit.prop) for edit in EDITS}
    # a value an edit reads that is also an input is read from the inputs (one place per prop)
    as_input = {f"{edit.component}.{edit.prop}": edit.key for edit in EDITS if isinstance(edit.component, str)}
    # keyword names of the extra states (Python identifiers) -> their "component.prop"
    extra_names = {"extra_" + re.sub(r"\W", "_", name): name for name in EXTRA if name not in as_input}
    states = {"stored": State(STATE, "data"), "rendered": State("rendered", "data"),
              **{keyword: State(*EXTRA[name]) for keyword, name in extra_names.items()}}
    outputs = {key: Output(component, prop) for key, (component, prop) in OUTPUTS.items()}

    @app.callback(output=outputs, inputs=inputs, state=states)
    def the_answer(**given):
        try:
            extra = {name: given[keyword] for keyword, name in extra_names.items()}
            extra.update({name: given[key] for name, key in as_input.items()})
            result = answer(given["stored"], given["rendered"], extra, _fired(), given["link"])
        except Exception:  # noqa: BLE001 - the server must answer, whatever was posted
            log.exception("the answer failed")
            lang = i18n.language(given.get("extra_page_lang_data"))      # the layout's language
            result = {"notices": notices_list([i18n.t("page.error", lang)])}
        return {key: result.get(key, no_update) for key in OUTPUTS}

