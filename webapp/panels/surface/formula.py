"""Text parameters in the page, such as the ``custom`` surface's formula: the control and its errors.

A text :class:`~landscapes.schema.Param` becomes a text box (sent after typing pauses, or on
Enter / leaving the box), a message area under it, and a folded grammar help::

    {"type": kind + "-text", "name": p}          the text box (surface controls: no "run" key)

A refused text is shown in the Surface card's notice place (``#surface-notice``, under the box).

The text reaches the engine only through ``landscapes.get`` (which parses a formula with
:mod:`landscapes.formula`, never ``eval``) after the schema's length cap. A refused text
leaves the page state untouched, so the map, the runs and every other setting stay as
they were; the message quotes the text with a caret under the offending column.
"""
from __future__ import annotations

from dash import dcc, html

import landscapes
from landscapes.formula import FUNCTIONS, MAX_DEPTH, FormulaError
from webapp.i18n import catalog, engine_text, t
from webapp.state import AppState

__all__ = ["TEXT_SUFFIX", "DEBOUNCE_SECONDS", "text_control", "error_view", "error_message", "apply_surface_text",
           "grammar_help"]

TEXT_SUFFIX = "-text"
DEBOUNCE_SECONDS = 0.8       # typing pauses this long, or Enter, or leaving the box: the text is sent
SHOWN_TEXT = 120             # characters of the text quoted around the caret


def _key(kind: str, run: int | None, name: str, suffix: str) -> dict:
    key = {"type": kind + suffix, "name": name}
    if run is not None:
        key["run"] = run
    return key


def _with_code(text: str) -> list:
    """A catalog text whose `backquoted` parts are code: ``"write `2*x`"`` -> ["write ", Code("2*x")]."""
    parts = text.split("`")
    return [html.Code(part) if i % 2 else part for i, part in enumerate(parts) if part]


def grammar_help(lang: str = "en") -> html.Details:
    """The formula grammar in a few lines: operators, names and the function list."""
    names = ", ".join(sorted(FUNCTIONS))
    return html.Details([
        html.Summary(t("formula.help_title", lang)),
        html.Ul([
            html.Li(_with_code(t("formula.help_names", lang))),
            html.Li(_with_code(t("formula.help_operators", lang))),
            html.Li(_with_code(t("formula.help_functions", lang, names=names))),
            html.Li(t("formula.help_limits", lang, length=landscapes.schema("custom")[0].max_length, depth=MAX_DEPTH)),
        ]),
    ], className="grammar-help")


def text_control(param, value, kind: str, run: int | None = None, lang: str = "en") -> html.Div:
    """One labelled text box for a text ``param`` and the grammar help."""
    help_text = engine_text(param.help, lang)
    box = dcc.Input(id=_key(kind, run, param.name, TEXT_SUFFIX), type="text", value=value,
                    debounce=DEBOUNCE_SECONDS, maxLength=param.max_length, spellCheck=False, autoComplete="off",
                    placeholder=str(param.default), className="param-text")
    return html.Div([
        html.Label(engine_text(param.title, lang), title=help_text, className="param-label"),
        box,
        grammar_help(lang),
    ], className="param param-text-field", title=help_text)


def error_message(error: Exception, lang: str = "en") -> str:
    """A refused formula's message in ``lang``: a :class:`FormulaError` says which mistake it is (``code``,
    ``values``), and the catalogs say it (``formula.error_<code>``); any other error keeps its own text."""
    code = getattr(error, "code", "")
    key = f"formula.error_{code}"
    if not isinstance(error, FormulaError) or not code or key not in catalog("en"):
        return str(error)
    return t("formula.error_at_column", lang, message=t(key, lang, **error.values), column=error.position + 1)


def error_view(text: str, error: Exception, lang: str = "en") -> list:
    """The refused text with a caret under the offending column, then the message (in ``lang``).

    A :class:`FormulaError` has a position (``text[position]`` is the culprit); other errors
    (too long, a control character) show the message alone.
    """
    position = getattr(error, "position", None)
    if not isinstance(error, FormulaError) or position is None:
        return [html.Div(error_message(error, lang), className="text-error-message")]
    start = max(0, min(position - SHOWN_TEXT // 2, len(text) - SHOWN_TEXT))
    shown = text[start:start + SHOWN_TEXT].replace("\t", " ").replace("\n", " ").replace("\r", " ")
    prefix = "\u2026" if start > 0 else ""
    caret = " " * (len(prefix) + position - start) + "^"
    return [html.Pre(f"{prefix}{shown}\n{caret}", className="text-error-caret"),
            html.Div(error_message(error, lang), className="text-error-message")]


def apply_surface_text(state: AppState, name: str, text) -> tuple[bool, Exception | None]:
    """Set the surface's text parameter ``name`` to ``text`` if the surface builds with it.

    Returns ``(changed, error)``. On an error the state is left exactly as it was (the map
    keeps the last valid surface); an unchanged text is ``(False, None)``.
    """
    params = {p.name: p for p in landscapes.schema(state.surface)}
    param = params.get(name)
    if param is None or param.kind != "text":
        return False, None
    if not isinstance(text, str):
        text = "" if text is None else text
    try:
        text = param.validate(text, owner="")
        candidate = {**state.surface_params, name: text}
        landscapes.get(state.surface, **candidate)
    except (ValueError, TypeError) as error:
        return False, error
    if state.surface_params.get(name) == text:
        return False, None
    state.surface_params = candidate
    return True, None
