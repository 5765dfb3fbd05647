"""What a visit costs on the wire: compressed responses (brotli and gzip) and caching headers (webapp.server).

Flask's test client on the real app (``app.server``): compression and headers
are applied by the Flask app itself, so this is what gunicorn serves too.
"""
from __future__ import annotations

import gzip
import re

import brotli
import pytest

from webapp.server import IMMUTABLE, REVALIDATE

CALLBACK = "/_dash-update-component"
PLOTLY = "/_dash-component-suites/plotly/package_data/plotly.min.js"     # served under a fixed name
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.fixture(scope="module")
def client():
    from app import server
    return server.test_client()


@pytest.fixture(scope="module")
def page_urls(client):
    """The script and stylesheet URLs the page links, as the browser would request them."""
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="(/[^"]+)"', html)
    assert any("_dash-component-suites" in u for u in urls) and any(u.startswith("/assets/") for u in urls)
    return urls


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_page_scripts_and_assets_are_compressed_and_decode_to_the_original(client, page_urls, encoding):
    for url in ["/", PLOTLY] + [u for u in page_urls if u.endswith((".js", ".css")) or ".js?" in u or ".css?" in u]:
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": encoding})
        assert plain.status_code == packed.status_code == 200, url
        assert "Content-Encoding" not in plain.headers, url
        assert packed.headers["Content-Encoding"] == encoding, url
        assert "Accept-Encoding" in packed.headers["Vary"], url
        decoded = DECODE[encoding](packed.data)
        if url == "/":            # the page embeds a per-request value; same length, same start
            assert decoded.startswith(b"<!DOCTYPE") and len(decoded) == len(plain.data)
        else:
            assert decoded == plain.data, url
        if len(plain.data) > 10_000:
            assert len(packed.data) < 0.5 * len(plain.data), (url, len(packed.data), len(plain.data))


def test_brotli_is_preferred_when_the_browser_offers_everything(client):
    response = client.get(PLOTLY, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "br"
    assert len(response.data) < 1_600_000          # 4.8 MB as sent before


def test_a_callback_answer_is_compressed(client):
    from test_server_safety import real_callback_body
    from app import server
    body = real_callback_body(server)
    assert body is not None
    response = client.post(CALLBACK, json=body, headers={"Accept-Encoding": "br"})
    assert response.status_code in (200, 204, 400), response.status_code
    if len(response.data) > 500 or response.headers.get("Content-Encoding"):
        assert response.headers["Content-Encoding"] == "br"
        DECODE["br"](response.data)                  # decodes
    dependencies = client.get("/_dash-dependencies", headers={"Accept-Encoding": "gzip"})
    assert dependencies.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(dependencies.data).startswith(b"[")


def test_fingerprinted_files_are_immutable_and_fixed_names_revalidate(client, page_urls):
    fingerprinted = [u for u in page_urls if re.search(r"\.v\d[\w]*m\d+\.", u) or "?m=" in u]
    assert len(fingerprinted) >= 5, page_urls
    for url in fingerprinted:
        assert client.get(url).headers["Cache-Control"] == IMMUTABLE, url
    for url in (PLOTLY, "/_dash-component-suites/dash/dcc/async-graph.js", "/assets/style.css"):
        first = client.get(url, headers={"Accept-Encoding": "br"})
        assert first.status_code == 200 and first.headers["Cache-Control"] == REVALIDATE, url
        etag = first.headers["ETag"]
        again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", url
        assert again.headers["Cache-Control"] == REVALIDATE, url


def test_dynamic_responses_carry_no_long_cache(client):
    for url in ("/", "/_dash-layout", "/_dash-dependencies"):
        assert "max-age=31536000" not in client.get(url).headers.get("Cache-Control", ""), url


def test_only_static_files_are_kept_compressed(client):
    from webapp.server import STATIC_KEY, StaticCompressionCache
    cache = StaticCompressionCache()
    cache.set("br;" + STATIC_KEY + "/assets/a.js", b"kept")
    cache.set("br;", b"a callback answer")
    cache.set("gzip;/_dash-update-component", b"also not")
    assert cache.get("br;" + STATIC_KEY + "/assets/a.js") == b"kept"
    assert cache.get("br;") is None and list(cache.data) == ["br;" + STATIC_KEY + "/assets/a.js"]


def test_an_edited_asset_is_compressed_anew_and_queries_do_not_grow_the_cache(tmp_path):
    import os

    from dash import Dash, html

    from webapp.server import harden

    (tmp_path / "assets").mkdir()
    script = tmp_path / "assets" / "edited.js"
    script.write_text("var first = 1;" * 100)
    app = Dash(__name__, assets_folder=str(tmp_path / "assets"))
    app.layout = html.Div("x")
    harden(app)
    client = app.server.test_client()
    first = client.get("/assets/edited.js?m=1", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(first.data) == script.read_bytes()
    script.write_text("var second = 2;" * 100)
    later = os.stat(script).st_mtime_ns + 10_000_000_000
    os.utime(script, ns=(later, later))
    second = client.get("/assets/edited.js?m=2", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(second.data) == script.read_bytes()
    cache = app.server.extensions["optiscape_static_compression"]
    before = len(cache.data)
    for junk in range(30):
        assert client.get(f"/assets/edited.js?m={junk}&x={junk}", headers={"Accept-Encoding": "br"}).status_code == 200
        assert client.get(f"/assets/missing{junk}.js", headers={"Accept-Encoding": "br"}).status_code == 404
    assert len(cache.data) == before
