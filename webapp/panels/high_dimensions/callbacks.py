"""The high-dimensions card's own read-only callback: opened (its summary clicked), or N typed -> the
chance figure and the cost table (nothing of the page's state is read or written)."""
from __future__ import annotations

from dash import Input, Output, html, no_update

from webapp.figures.high_dimensions import chance_figure, cost_rows, minimum_chance
from webapp.panels.wiring import guarded
from webapp.state import coerce

__all__ = ["register", "card_content", "MAX_N"]

MAX_N = 1e15


def _table(rows: list[dict]) -> html.Table:
    head = html.Thead(html.Tr([html.Th(t) for t in ("Method", "stores", "memory", "work per step", "time per step")]))
    body = html.Tbody([html.Tr([html.Td(r["method"]), html.Td(r["stores"], className="num"),
                                html.Td(r["memory"], className="num"), html.Td(r["work"], className="num"),
                                html.Td(r["time"], className="num")]) for r in rows])
    return html.Table([head, body], className="results hd-table")


def card_content(opened, n) -> tuple:
    """``(figure, cost table, message)``; the figure once the card was opened (``opened``: the summary's
    clicks; the Monte Carlo takes about a second, once per server process)."""
    figure = chance_figure(minimum_chance()) if opened else no_update
    value = coerce.number(n)
    if value is None or not 1 <= value <= MAX_N:
        return figure, no_update, [html.P(f"N must be a number from 1 to {MAX_N:.0e}; got {coerce.short(n)}.")]
    return figure, _table(cost_rows(value)), []


def register(app) -> None:
    @app.callback(Output("hd-chance", "figure"), Output("hd-costs", "children"), Output("hd-message", "children"),
                  Input("hd-summary", "n_clicks"), Input("hd-n", "value"), prevent_initial_call=True)
    @guarded(3)
    def high_dimensions(opened, n):
        return card_content(opened, n)
