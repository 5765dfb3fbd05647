"""Surfaces: exact derivatives agree with finite differences; listed critical points are right.

Every generic test runs over ``landscapes.names()`` with the default parameters,
with each own parameter at the ends of its range, and with an L2 term.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes

L2 = 0.3
FD_STEP = 1e-5
# Points where a surface has no derivative (kinks); finite-difference checks stay clear of them.
KINKS = {"ackley": [(0.0, 0.0)]}
KINK_CLEARANCE = 0.05


def _non_default_params(name):
    """Each own parameter at the low and at the high end of its range."""
    cases = []
    for param in landscapes.schema(name):
        if param.name == "l2" or param.kind not in ("float", "int"):
            continue
        for end in (param.low, param.high):
            if end is not None and math.isfinite(end):
                cases.append({param.name: end})
    return cases


CASES = []
for _name in landscapes.names():
    CASES.append((_name, {}))
    CASES.extend((_name, params) for params in _non_default_params(_name))
    CASES.append((_name, {"l2": L2}))
CASE_IDS = [f"{n}-" + ("-".join(f"{k}={v:g}" for k, v in p.items()) or "default") for n, p in CASES]


@pytest.fixture(params=CASES, ids=CASE_IDS, scope="module")
def surface(request):
    name, params = request.param
    return landscapes.get(name, **params)


def _random_points(surface, count, seed=0):
    """``count`` points uniform in the view box, clear of the surface's kinks; shape (count, 2)."""
    rng = np.random.default_rng(seed)
    x_min, x_max, y_min, y_max = surface.view
    points = np.column_stack([rng.uniform(x_min, x_max, 4 * count), rng.uniform(y_min, y_max, 4 * count)])
    for kink in KINKS.get(surface.name, []):
        points = points[np.linalg.norm(points - np.array(kink), axis=1) > KINK_CLEARANCE]
    return points[:count]


def _fd_gradient(surface, points):
    """Central differences of ``value``; (N, 2)."""
    columns = []
    for axis in range(2):
        step = np.zeros(2)
        step[axis] = FD_STEP
        columns.append((surface.value(points + step) - surface.value(points - step)) / (2 * FD_STEP))
    return np.stack(columns, axis=-1)


def _fd_hessian(surface, points):
    """Central differences of ``grad``: column j is d grad / d x_j; (N, 2, 2), not symmetrized."""
    columns = []
    for axis in range(2):
        step = np.zeros(2)
        step[axis] = FD_STEP
        columns.append((surface.grad(points + step) - surface.grad(points - step)) / (2 * FD_STEP))
    return np.stack(columns, axis=-1)


def _assert_gradient_matches_fd(surface, points):
    exact = surface.grad(points)
    approx = _fd_gradient(surface, points)
    scale = 1.0 + np.abs(surface.value(points))[:, None]
    tolerance = 1e-6 * scale + 1e-6 * np.abs(exact)
    bad = np.abs(exact - approx) > tolerance
    assert not bad.any(), (surface.name, points[bad.any(axis=1)][:3], exact[bad.any(axis=1)][:3],
                           approx[bad.any(axis=1)][:3])


# ----------------------------------------------------------------- shapes
@pytest.mark.parametrize("leading", [(), (7,), (3, 4)])
def test_shapes_and_dtype(surface, leading):
    rng = np.random.default_rng(1)
    x_min, x_max, y_min, y_max = surface.view
    xy = np.stack([rng.uniform(x_min, x_max, leading), rng.uniform(y_min, y_max, leading)], axis=-1)
    value, grad, hessian = surface.value(xy), surface.grad(xy), surface.hessian(xy)
    assert value.shape == leading and grad.shape == leading + (2,) and hessian.shape == leading + (2, 2)
    assert value.dtype == grad.dtype == hessian.dtype == np.float64
    # a batch equals the points one at a time
    flat = xy.reshape(-1, 2)
    one_by_one = np.array([surface.value(p) for p in flat]).reshape(leading)
    np.testing.assert_array_equal(value, one_by_one)


def test_finite_on_view_box(surface):
    x_min, x_max, y_min, y_max = surface.view
    X, Y = np.meshgrid(np.linspace(x_min, x_max, 61), np.linspace(y_min, y_max, 61))  # odd: hits the centre
    xy = np.stack([X, Y], axis=-1)                                                    # (61, 61, 2)
    assert np.isfinite(surface.value(xy)).all()
    assert np.isfinite(surface.grad(xy)).all()
    assert np.isfinite(surface.hessian(xy)).all()


def test_integer_coordinates_are_accepted(surface):
    np.testing.assert_array_equal(surface.value([[1, 0]]), surface.value([[1.0, 0.0]]))


# ------------------------------------------------------------ derivatives
def test_gradient_matches_finite_differences(surface):
    _assert_gradient_matches_fd(surface, _random_points(surface, 200))


def test_hessian_matches_finite_differences(surface):
    points = _random_points(surface, 200, seed=2)
    exact = surface.hessian(points)                                        # (N, 2, 2)
    approx = _fd_hessian(surface, points)
    scale = 1.0 + np.linalg.norm(surface.grad(points), axis=-1)[:, None, None]
    tolerance = 1e-6 * scale + 1e-6 * np.abs(exact)
    bad = np.abs(exact - approx) > tolerance
    assert not bad.any(), (surface.name, points[bad.any(axis=(1, 2))][:3])


def test_hessian_is_symmetric_and_gradient_is_a_gradient_field(surface):
    points = _random_points(surface, 100, seed=3)
    hessian = surface.hessian(points)
    np.testing.assert_array_equal(hessian, np.swapaxes(hessian, -1, -2))
    # d(df/dx)/dy == d(df/dy)/dx for the *gradient* too: it must be curl-free
    approx = _fd_hessian(surface, points)
    scale = 1.0 + np.linalg.norm(surface.grad(points), axis=-1) + np.abs(hessian).max(axis=(1, 2))
    assert np.all(np.abs(approx[:, 0, 1] - approx[:, 1, 0]) <= 1e-6 * scale)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(landscapes.names()), u=st.floats(0.0, 1.0), v=st.floats(0.0, 1.0),
       l2=st.sampled_from([0.0, 0.05, 2.0]))
def test_gradient_fd_agreement_property(name, u, v, l2):
    surface = landscapes.get(name, l2=l2)
    x_min, x_max, y_min, y_max = surface.view
    point = np.array([x_min + u * (x_max - x_min), y_min + v * (y_max - y_min)])
    for kink in KINKS.get(name, []):
        offset = point - np.array(kink)
        if np.linalg.norm(offset) <= KINK_CLEARANCE:       # push the point out of the kink's disk
            direction = offset / np.linalg.norm(offset) if np.linalg.norm(offset) > 0 else np.array([1.0, 0.0])
            point = np.array(kink) + 2 * KINK_CLEARANCE * direction
    _assert_gradient_matches_fd(surface, point[None, :])


# ------------------------------------------------------- critical points
def _probe(surface, point, radius):
    """Values on a small circle around ``point`` minus the value at it; (64,)."""
    angles = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    ring = point.as_array() + radius * np.column_stack([np.cos(angles), np.sin(angles)])
    return surface.value(ring) - surface.value(point.as_array())


def test_critical_points_are_stationary_with_listed_values(surface):
    assert surface.critical_points or surface.name == "saddle" or "l2" in surface.params
    for point in surface.critical_points:
        xy = point.as_array()
        curvature = np.abs(surface.hessian(xy)).max()
        assert np.linalg.norm(surface.grad(xy)) < 1e-8 * (1.0 + curvature), point
        assert abs(float(surface.value(xy)) - point.value) <= 1e-12 * (1.0 + abs(point.value)), point


def test_critical_points_have_their_kind(surface):
    radius = 1e-3 * (surface.view[1] - surface.view[0])
    for point in surface.critical_points:
        low, high = np.linalg.eigvalsh(surface.hessian(point.as_array()))
        rise = _probe(surface, point, radius)
        if point.is_minimum:
            assert low > 0, point
            assert np.all(rise > 0), point
        elif point.kind == "saddle":
            if low != 0 or high != 0:        # degenerate saddles (monkey saddle) have H = 0
                assert low < 0 < high, point
            assert rise.min() < 0 < rise.max(), point
        else:
            assert point.kind == "maximum" and high < 0 and np.all(rise < 0), point


def test_global_minimum_is_lowest(surface):
    name, params = surface.name, {k: v for k, v in surface.params.items() if k != "l2"}
    if landscapes.get(name, **params).global_minimum is None:
        return  # unbounded below (saddles): with L2 a local minimum may appear, but no global one
    best = surface.global_minimum
    assert best is not None
    assert all(best.value <= m.value + 1e-12 for m in surface.minima)
    _, _, values = surface.grid(201)
    spread = float(values.max() - values.min())
    assert values.min() >= best.value - 1e-9 * (1.0 + spread)


def test_critical_points_lie_in_or_near_the_view(surface):
    x_min, x_max, y_min, y_max = surface.view
    margin = 0.1 * max(x_max - x_min, y_max - y_min)
    for point in surface.critical_points:
        assert x_min - margin <= point.x <= x_max + margin and y_min - margin <= point.y <= y_max + margin


# Known results from the optimization literature, independent of this code.
LITERATURE_MINIMA = {
    "quadratic_bowl": [((0.0, 0.0), 0.0)],
    "rosenbrock": [((1.0, 1.0), 0.0)],
    "ill_conditioned": [((0.0, 0.0), 0.0)],
    "beale": [((3.0, 0.5), 0.0)],
    "himmelblau": [((3.0, 2.0), 0.0), ((-2.805118, 3.131312), 0.0), ((-3.779310, -3.283186), 0.0),
                   ((3.584428, -1.848126), 0.0)],
    "six_hump_camel": [((0.0898, -0.7126), -1.0316), ((-0.0898, 0.7126), -1.0316)],
    "styblinski_tang": [((-2.903534, -2.903534), -39.16599 * 2)],
    "rastrigin": [((0.0, 0.0), 0.0)],
    "ackley": [((0.0, 0.0), 0.0)],
}


@pytest.mark.parametrize("name", sorted(LITERATURE_MINIMA))
def test_global_minima_match_the_literature(name):
    surface = landscapes.get(name)
    listed = [p for p in surface.minima if p.kind == "global minimum"]
    assert len(listed) == len(LITERATURE_MINIMA[name])
    for (x, y), value in LITERATURE_MINIMA[name]:
        match = min(listed, key=lambda p: math.hypot(p.x - x, p.y - y))
        assert math.hypot(match.x - x, match.y - y) < 1e-3 and abs(match.value - value) < 1e-3


@pytest.mark.parametrize("name, kind, count", [
    ("himmelblau", "saddle", 4), ("himmelblau", "maximum", 1),
    ("six_hump_camel", "local minimum", 4), ("six_hump_camel", "saddle", 7),
    ("styblinski_tang", "local minimum", 3), ("styblinski_tang", "saddle", 4),
    ("rastrigin", "local minimum", 11 * 11 - 1),   # one near each integer point of [-5, 5]^2
    ("ackley", "local minimum", 9 * 9 - 1),        # one near each integer point of [-4, 4]^2
    ("local_minima", "local minimum", 2), ("local_minima", "saddle", 2),
    ("monkey_saddle", "saddle", 1), ("saddle", "saddle", 1),
])
def test_critical_point_counts(name, kind, count):
    assert sum(p.kind == kind for p in landscapes.get(name).critical_points) == count


def test_no_unlisted_minimum_in_the_view():
    """Newton from a grid of seeds finds no minimum in the view that is not listed."""
    from landscapes.critical import newton_refine
    for name in landscapes.names():
        surface = landscapes.get(name)
        x_min, x_max, y_min, y_max = surface.view
        X, Y = np.meshgrid(np.linspace(x_min, x_max, 30), np.linspace(y_min, y_max, 30))
        found = newton_refine(surface.grad_fn, surface.hessian_fn, np.column_stack([X.ravel(), Y.ravel()]))
        stationary = np.linalg.norm(surface.grad(found), axis=1) < 1e-9
        inside = ((found[:, 0] > x_min) & (found[:, 0] < x_max) & (found[:, 1] > y_min) & (found[:, 1] < y_max))
        listed = np.array([p.as_array() for p in surface.critical_points])
        for xy in found[stationary & inside]:
            if np.linalg.eigvalsh(surface.hessian(xy))[0] > 0:
                assert np.linalg.norm(listed - xy, axis=1).min() < 1e-6, (name, xy)


# ------------------------------------------------------- surface specifics
def test_ackley_origin_is_finite_and_documented():
    surface = landscapes.get("ackley")
    origin = np.zeros(2)
    assert surface.value(origin) == 0.0
    np.testing.assert_array_equal(surface.grad(origin), [0.0, 0.0])
    # the ripple term's Hessian at 0: pi^2 e (2 cos 0 - sin^2 0) = 2 pi^2 e on the diagonal
    np.testing.assert_allclose(surface.hessian(origin), 2 * np.pi**2 * np.e * np.eye(2), rtol=1e-14)
    # textbook form agrees away from the origin
    xy = np.array([[0.3, -1.7], [2.2, 0.4]])
    x, y = xy[:, 0], xy[:, 1]
    textbook = (-20 * np.exp(-0.2 * np.sqrt(0.5 * (x**2 + y**2)))
                - np.exp(0.5 * (np.cos(2 * np.pi * x) + np.cos(2 * np.pi * y))) + 20 + np.e)
    np.testing.assert_allclose(surface.value(xy), textbook, rtol=1e-13)


def test_local_minima_has_a_plateau_and_shallower_local_wells():
    surface = landscapes.get("local_minima")
    start = np.array(surface.start)
    assert np.linalg.norm(surface.grad(start)) < 1e-3
    distances = [np.hypot(p.x - start[0], p.y - start[1]) for p in surface.critical_points]
    assert min(distances) > 1.0, "the plateau is no critical point"
    assert surface.value(start) > surface.global_minimum.value + 1.5
    values = sorted(m.value for m in surface.minima)
    assert values[0] < values[1] < values[2] < 0
    deeper = landscapes.get("local_minima", depth=1.0)
    assert sorted(m.value for m in deeper.minima)[1] < values[1]       # depth deepens the local wells


def test_rastrigin_without_ripples_is_a_bowl():
    surface = landscapes.get("rastrigin", A=0.0)
    xy = np.array([[1.5, -2.0], [0.3, 0.7]])
    np.testing.assert_allclose(surface.value(xy), (xy**2).sum(axis=1), rtol=1e-14)
    assert [p.kind for p in surface.critical_points] == ["global minimum"]


def test_metadata(surface):
    x_min, x_max, y_min, y_max = surface.view
    assert x_min < x_max and y_min < y_max
    assert x_min <= surface.start[0] <= x_max and y_min <= surface.start[1] <= y_max
    assert np.linalg.norm(surface.grad(np.array(surface.start))) > 0, "a start on a critical point tells no story"
    assert surface.formula and surface.label
    assert 1 <= surface.note.count(". ") + 1 <= 3 and len(surface.note) < 450


def test_log_colour_where_values_span_orders_of_magnitude():
    for name in ("rosenbrock", "beale"):
        surface = landscapes.get(name)
        _, _, values = surface.grid(101)
        assert surface.log_color and values.max() - values.min() > 1e3


# -------------------------------------------------------------------- L2
@pytest.mark.parametrize("name", landscapes.names())
def test_l2_adds_exactly_the_penalty(name):
    base, penalized = landscapes.get(name), landscapes.get(name, l2=L2)
    points = _random_points(base, 50, seed=4)
    np.testing.assert_allclose(penalized.value(points),
                               base.value(points) + 0.5 * L2 * (points**2).sum(axis=1), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(penalized.grad(points), base.grad(points) + L2 * points, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(penalized.hessian(points), base.hessian(points) + L2 * np.eye(2),
                               rtol=1e-13, atol=1e-13)
    assert penalized.params["l2"] == L2


@pytest.mark.parametrize("name", landscapes.names())
def test_l2_moves_minima_towards_the_origin(name):
    base, penalized = landscapes.get(name), landscapes.get(name, l2=L2)
    originals = np.array([m.as_array() for m in base.minima]).reshape(-1, 2)
    for moved in penalized.minima:
        xy = moved.as_array()
        assert np.linalg.norm(penalized.grad(xy)) < 1e-8 * (1 + np.abs(penalized.hessian(xy)).max())
        assert np.linalg.eigvalsh(penalized.hessian(xy))[0] > 0
        if len(originals):
            source = originals[np.argmin(np.linalg.norm(originals - xy, axis=1))]
            assert np.linalg.norm(xy) <= np.linalg.norm(source) + 1e-12, (name, source, xy)
    if len(originals):
        assert penalized.minima, "some minima must survive a small L2 term"


# -------------------------------------------------------------- registry
def test_unknown_surface_is_named():
    with pytest.raises(ValueError, match="no_such_surface"):
        landscapes.get("no_such_surface")


@pytest.mark.parametrize("name, params, named", [
    ("rastrigin", {"amplitude": 3.0}, "amplitude"),
    ("rastrigin", {"A": -1.0}, "A"),
    ("rastrigin", {"A": 41.0}, "A"),
    ("local_minima", {"depth": 0.1}, "depth"),
    ("local_minima", {"depth": 1.5}, "depth"),
    ("beale", {"l2": -0.5}, "l2"),
    ("ill_conditioned", {"kappa": 0.5}, "kappa"),
])
def test_bad_parameters_are_named(name, params, named):
    with pytest.raises(ValueError, match=rf"\b{named}\b"):
        landscapes.get(name, **params)


def test_every_surface_has_a_schema_with_valid_defaults():
    for name in landscapes.names():
        for param in landscapes.schema(name):
            assert param.validate(param.default) == param.default


def test_grid_shape_and_orientation():
    surface = landscapes.get("ill_conditioned", kappa=10.0)
    xs, ys, values = surface.grid(n=7, view=(-3.0, 3.0, -1.0, 2.0))
    assert xs.shape == (7,) and ys.shape == (7,) and values.shape == (7, 7)
    assert xs[0] == -3.0 and xs[-1] == 3.0 and ys[0] == -1.0 and ys[-1] == 2.0
    for row, column in [(0, 6), (6, 0), (2, 5)]:
        assert values[row, column] == surface.value([xs[column], ys[row]])   # [row = y, column = x]
    # steep in y (kappa = 10): moving along a column changes the value more than along a row
    assert abs(values[6, 3] - values[3, 3]) > abs(values[3, 6] - values[3, 3])
