"""The card every panel of the page sits in (one look for all)."""
from __future__ import annotations

from dash import html

__all__ = ["card"]


def card(title: str, children, class_name: str = "") -> html.Section:
    return html.Section([html.H2(title, className="card-title"), *children], className=f"card {class_name}".strip())
