"""Formulas with huge, overflowing or undefined values draw something sensible: a drawable contour
(finite float32, clipped colours) or no contour and a message on the map; never a figure the browser
cannot draw (issue: ``1e39 + x^2``, ``exp(1000)``, ``9^9^9 + x^2 + y^2`` raised in the browser)."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest

import landscapes
from webapp.figures import stage
from webapp.figures.surface_grid import OVERFLOW, drawable_grid

VIEW = (-3.0, 3.0, -3.0, 3.0)


def custom(formula: str):
    return landscapes.get("custom", formula=formula)


def decoded(array) -> np.ndarray:
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype="<f4")
    return np.array([np.nan if v is None else v for row in array for v in (row if isinstance(row, list) else [row])],
                    dtype=np.float64)


def assert_drawable(figure: dict):
    json.dumps(figure, allow_nan=False)                      # valid JSON: no NaN or inf anywhere
    trace = figure["data"][0]
    assert trace["name"] == "surface"                          # the contour's index stays 0 (the player counts)
    if trace["type"] == "contour":
        z = decoded(trace["z"])
        shown = z[np.isfinite(z)]
        assert shown.size and np.all(np.abs(shown) < 3.4e38) and np.ptp(shown) > 0


@pytest.mark.parametrize("formula", ["1e38 + x^2", "1e39 + x^2", "1e100 + y^2", "1e300 * (1 + x^2)", "exp(1000)",
                                     "9^9^9 + x^2 + y^2", "-exp(1000) + x", "exp(exp(exp(x + 9)))"])
def test_nothing_drawable_everywhere_gives_no_contour_and_a_message(formula):
    grid = drawable_grid(custom(formula), VIEW, 40)
    assert grid.z is None and "everywhere" in grid.message
    figure = stage.map_figure(custom(formula), VIEW, grid_size=40)
    assert_drawable(figure)
    assert figure["data"][0]["type"] == "scatter" and figure["data"][0]["x"] == []
    assert figure["layout"]["annotations"][0]["text"] == grid.message.replace("<", "&lt;")


@pytest.mark.parametrize("formula", ["log(-1 - x^2)", "sqrt(-1 - y^2)", "log(-abs(x) - 1) + y"])
def test_undefined_everywhere_says_so(formula):
    grid = drawable_grid(custom(formula), VIEW, 30)
    assert grid.z is None and "undefined" in grid.message
    assert_drawable(stage.map_figure(custom(formula), VIEW, grid_size=30))


@pytest.mark.parametrize("rate", [30.0, 40.0, 80.0, 300.0])
def test_overflow_in_part_of_the_view_is_clipped_with_a_message(rate):
    formula = f"exp({rate:g} * x) + y^2"                     # above 1e38 for x > 88 / rate, finite elsewhere
    grid = drawable_grid(custom(formula), VIEW, 40)
    assert grid.z is not None and "clipped" in grid.message
    assert np.nanmax(grid.z) < OVERFLOW
    assert_drawable(stage.map_figure(custom(formula), VIEW, grid_size=40))


@pytest.mark.parametrize("offset", ["1e8", "1e10", "3e12", "-1e11"])
def test_a_huge_offset_is_drawn_as_the_height_above_the_lowest_value(offset):
    grid = drawable_grid(custom(f"{offset} + x^2 + y^2"), VIEW, 30)
    assert grid.z is not None and grid.message == ""
    assert grid.title.startswith(("f \u2212 ", "f + "))
    assert np.nanmin(grid.z) == 0.0 and np.nanmax(grid.z) == pytest.approx(18.0, rel=1e-2)
    assert_drawable(stage.map_figure(custom(f"{offset} + x^2 + y^2"), VIEW, grid_size=30))


@pytest.mark.parametrize("formula", ["0", "5", "1e30 + x^2"])
def test_a_flat_view_says_so(formula):
    grid = drawable_grid(custom(formula), VIEW, 20)
    assert grid.z is None and "flat" in grid.message


def test_an_ordinary_surface_is_unchanged():
    surface = landscapes.get("ill_conditioned")
    grid = drawable_grid(surface, surface.view, 50)
    _, _, values = surface.grid(50, surface.view)
    assert grid.message == "" and grid.title == "f(x, y)"
    np.testing.assert_array_equal(grid.z, values)
