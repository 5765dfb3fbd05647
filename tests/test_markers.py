"""Readable critical-point markers: each kind its own marker and a key; among many minima the global one
stands out and the rest are light."""
from __future__ import annotations

import landscapes
from webapp.figures import stage
from webapp.figures.markers import INK, LIGHT, MANY, MARKERS, critical_point_traces, marker_key, marker_key_annotation


def points_by_kind(surface):
    minima, others = critical_point_traces(surface, 6)
    out = {}
    for trace in (minima, others):
        for i, text in enumerate(trace["text"]):
            kind = text.split(",")[0]
            out.setdefault(kind, []).append({key: trace["marker"][key][i] for key in ("symbol", "size", "color")})
    return out


def test_each_kind_has_its_own_marker():
    shown = points_by_kind(landscapes.get("six_hump_camel"))        # all four kinds
    assert set(shown) == {"global minimum", "local minimum", "saddle", "maximum"}
    symbols = {kind: {p["symbol"] for p in points} for kind, points in shown.items()}
    assert all(len(s) == 1 for s in symbols.values())
    assert len({next(iter(s)) for s in symbols.values()}) == 4, symbols


def test_among_many_minima_the_global_one_stands_out_and_the_rest_are_light():
    surface = landscapes.get("rastrigin")
    shown = points_by_kind(surface)
    assert len(shown["local minimum"]) > MANY
    (best,) = shown["global minimum"]
    assert best["color"] == INK and all(p["color"] == LIGHT for p in shown["local minimum"])
    assert all(p["size"] < best["size"] / 2 + 1 for p in shown["local minimum"])
    minima = critical_point_traces(surface, 6)[0]
    assert minima["text"][-1].startswith("global minimum"), "drawn last, on top of the light ones"


def test_a_few_local_minima_are_drawn_dark_but_open():
    shown = points_by_kind(landscapes.get("local_minima"))          # scenario 3's kind of surface: 2 local wells
    assert all(p["color"] == INK and p["symbol"] == "star-open" for p in shown["local minimum"])
    assert shown["global minimum"][0]["symbol"] == "star"


def test_the_key_lists_the_kinds_the_surface_has_and_sits_on_the_map():
    assert marker_key(landscapes.get("rastrigin")) == [(MARKERS[k][2], MARKERS[k][3]) for k in
                                                        ("global minimum", "local minimum", "saddle")]
    assert marker_key(landscapes.get("saddle")) == [("\u2715", "saddle")]
    surface = landscapes.get("himmelblau")
    figure = stage.map_figure(surface, surface.view)
    key = [a for a in figure["layout"]["annotations"] if a.get("name") == "marker key"]
    assert len(key) == 1 and "global min" in key[0]["text"] and "maximum" in key[0]["text"]
    assert "local min" not in key[0]["text"]                        # Himmelblau's four minima are all global
    assert marker_key_annotation(landscapes.get("custom", formula="x + y")) is None
