"""The page's language: which one a request asks for, the header's switch (EN / 한국어), ``<html lang>``.

A page is in the language its link names (``lang=ko``), else in the browser's preference
(``Accept-Language``, :func:`webapp.i18n.negotiate`), else in English. The page's layout is
fetched by the browser in a request of its own (``/_dash-layout``), which carries the page's
address as its ``Referer`` (the server sends ``Referrer-Policy: same-origin``, so a same-origin
request always has it): the layout is built in the language of that address.

The switch is two plain links to the page's own share link with ``lang`` set: following one
reloads the page, and since the link is the whole state, nothing is lost but the player's
position. Their addresses follow the share link in the browser (``langLinks`` in
``assets/i18n.js``).
"""
from __future__ import annotations

from urllib.parse import urlsplit

import flask
from dash import ClientsideFunction, Dash, Input, Output, html

from webapp import i18n
from webapp.state.url import language_in

__all__ = ["page_language", "language_switch", "LocalizedDash", "register", "SWITCH_IDS"]

SWITCH_IDS = {lang: f"lang-{lang}" for lang in i18n.LANGUAGES}


def page_language() -> str:
    """The language of the page this request belongs to (English outside a request)."""
    if not flask.has_request_context():
        return i18n.DEFAULT_LANGUAGE
    request = flask.request
    asked = language_in("?" + request.query_string.decode("latin-1")[:8000])
    if asked is None and request.path.endswith("_dash-layout"):
        referrer = request.headers.get("Referer", "")[:8000]
        asked = language_in("?" + urlsplit(referrer).query) if referrer else None
    return asked or i18n.negotiate(request.headers.get("Accept-Language"))


def language_switch(lang: str) -> html.Nav:
    """EN / 한국어: each a link to this page in that language; the current one marked."""
    links = []
    for other in i18n.LANGUAGES:
        name = i18n.LANGUAGE_NAMES[other]
        links.append(html.A(name, id=SWITCH_IDS[other], href=f"?lang={other}", lang=other, hrefLang=other,
                            className="lang-link" + (" current" if other == lang else ""),
                            title=i18n.t("header.switch_title", other, language=name),
                            **({"aria-current": "true"} if other == lang else {})))
    return html.Nav(links, className="lang-switch", **{"aria-label": i18n.t("header.language", lang)})


class LocalizedDash(Dash):
    """A Dash app whose page says its language: ``<html lang="...">`` from :func:`page_language`."""

    def interpolate_index(self, **kwargs):
        page = super().interpolate_index(**kwargs)
        return page.replace("<html>", f'<html lang="{page_language()}">', 1)


def register(app) -> None:
    app.clientside_callback(ClientsideFunction("optiscape", "langLinks"),
                            [Output(SWITCH_IDS[lang], "href") for lang in i18n.LANGUAGES],
                            Input("share-query", "data"), prevent_initial_call=True)
