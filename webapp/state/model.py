"""The page state as typed records: :class:`AppState` (surface, runs, start, steps, view, views, maps)
with :class:`RunSpec` (one optimizer run), :class:`ViewOptions` (the View bar) and :class:`MapSettings`
(the Maps panel), the palette and the defaults a new page starts from.

Nothing here parses or validates: :mod:`webapp.state.coerce` does that, and the codecs
(:mod:`webapp.state.url`, :mod:`webapp.state.store`) build states only through it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

import landscapes
import optimizers
from optimizers.base import optimizer_class
from optimizers import schedules
from webapp.state.palette import PALETTE, optimizer_color

__all__ = ["RunSpec", "AppState", "ViewOptions", "MapSettings", "VIEW_KEYS", "VIEW_FLAGS", "ASPECTS", "MAP_KEYS", "MAP_KINDS",
           "MAP_COLORS", "DEFAULT_GRID", "DEFAULT_SIDE", "PALETTE", "DEFAULT_SURFACE", "DEFAULT_STEPS", "DEFAULT_OPTIMIZERS",
           "schema_defaults", "default_run", "default_state", "free_color", "with_runs"]

DEFAULT_SURFACE = "ill_conditioned"
DEFAULT_STEPS = 300
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")


RUN_FLAGS = ("hidden",)


@dataclass
class RunSpec:
    """One run of the page, as the URL, the store and the run cards edit it: an optimizer with its
    hyperparameters, a schedule (by name and parameters), gradient noise and a seed, plus what only the
    page has (``visible``, ``color``: an index into :data:`PALETTE`).

    ``hyper`` and ``schedule_params`` hold every schema entry (defaults filled in). The engine steps
    :class:`optimizers.runspec.RunSpec`; a page run becomes one in exactly one place,
    :func:`webapp.compute.variants.engine_spec` (the page's runs, maps and Tune all go through it).
    """

    optimizer: str
    hyper: dict
    schedule: str = "constant"
    schedule_params: dict = field(default_factory=dict)
    noise: float = 0.0
    seed: int = 0
    visible: bool = True
    color: int = 0
    seeds: int = 1          # with noise: drawn as a cloud of this many seeds (seed ... seed + seeds - 1)

    def build_optimizer(self):
        return optimizers.get(self.optimizer, **self.hyper)

    def build_schedule(self):
        return schedules.get(self.schedule, **self.schedule_params)

    def name(self) -> str:
        """A readable name, e.g. ``"Adam lr=0.01"`` (plus the schedule and noise when set)."""
        try:
            text = self.build_optimizer().describe()
        except ValueError:
            text = self.optimizer
        if self.schedule != "constant":
            try:
                text += f", {self.build_schedule().describe()}"
            except ValueError:
                text += f", {self.schedule}"
        if self.noise:
            text += f", noise={self.noise:g}"
            if self.seeds > 1:
                text += f", {self.seeds} seeds"
        return text


class LinkRecord(Mapping):
    """A frozen record that also reads as its share-link keys: ``record[key]`` is the canonical text of a
    setting that is not at its default (:meth:`link_text`), so ``dict(record)``, ``key in record`` and
    ``record == {"arrows": "1"}`` mean the link's view of it, and JSON encoders write that dict.
    Records are built from text only by :mod:`webapp.state.coerce` (with a notice for each refusal)."""

    def link_text(self) -> dict:                 # pragma: no cover - each record defines it
        raise NotImplementedError

    def __getitem__(self, key):
        return self.link_text()[key]

    def __iter__(self):
        return iter(self.link_text())

    def __len__(self) -> int:
        return len(self.link_text())

    def __eq__(self, other) -> bool:
        if isinstance(other, type(self)):
            return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self))
        return isinstance(other, Mapping) and dict(self.link_text()) == dict(other)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, f.name) for f in fields(self)))

    def to_plotly_json(self) -> dict:
        """What Dash's JSON encoder writes: the link's keys."""
        return self.link_text()


VIEW_KEYS = ("view_mode", "arrows", "field", "polyak", "polyak_from", "polyak_decay", "threed", "inner", "inner_run",
             "loss_x", "robust", "aspect")
ASPECTS = ("auto", "equal", "free")
DEFAULT_POLYAK_DECAY = 0.99      # the EMA's decay when the link names none (torch's AveragedModel examples use 0.999)
VIEW_FLAGS = ("arrows", "field", "polyak", "threed", "inner", "robust")


@dataclass(frozen=True, eq=False)
class ViewOptions(LinkRecord):
    """The View bar: which lecture views are on. In the link (all absent by default)::

        view_mode=overlay|side   side: one small map per run (else one map with every run)
        arrows=1, field=1        gradient / velocity / step arrows; the -gradient field on the map
        polyak=1                 each run's Polyak averages from step polyak_from=<int>: the running mean and
                                 the lecture's exponential moving average of decay polyak_decay=<0..1>
        threed=1, inner=1        the 3D surface card; the inner-state card, of inner_run=<run, 1-based>
        loss_x=steps|evals       the loss plot's x axis (evals: gradient evaluations)
        robust=1                 the results table's robustness column (webapp.compute.variants)
        aspect=equal|free        the map's axes: one unit the same length on x and y (so -grad f is drawn
                                 perpendicular to the contours), or stretched to fill; absent (auto): equal
                                 where the view box is not too elongated (webapp.figures.stage.equal_aspect)
    """

    side: bool = False
    arrows: bool = False
    field: bool = False
    polyak: bool = False
    polyak_from: int = 0
    polyak_decay: float = DEFAULT_POLYAK_DECAY
    threed: bool = False
    inner: bool = False
    inner_run: int | None = None       # 0-based; None: every run
    loss_by_evals: bool = False
    robust: bool = False
    aspect: str = "auto"               # one of ASPECTS

    def link_text(self) -> dict:
        """The settings not at their default, as link text, in :data:`VIEW_KEYS` order."""
        text = {"view_mode": "side" if self.side else None}
        text.update({flag: "1" if getattr(self, flag) else None for flag in VIEW_FLAGS})
        text["polyak_from"] = str(self.polyak_from) if self.polyak_from else None
        text["polyak_decay"] = f"{self.polyak_decay:.12g}" if self.polyak_decay != DEFAULT_POLYAK_DECAY else None
        text["inner_run"] = str(self.inner_run + 1) if self.inner_run is not None else None
        text["loss_x"] = "evals" if self.loss_by_evals else None
        text["aspect"] = self.aspect if self.aspect != "auto" else None
        return {key: text[key] for key in VIEW_KEYS if text[key] is not None}


MAP_KEYS = ("map", "map_runs", "map_grid", "map_steps", "map_color", "map_x", "map_y", "map_n")
MAP_KINDS = ("basin", "sensitivity")
MAP_COLORS = {"basin": ("minimum", "steps"), "sensitivity": ("gap", "steps")}   # the first is the default
DEFAULT_GRID = 80
DEFAULT_SIDE = 25


@dataclass(frozen=True, eq=False)
class MapSettings(LinkRecord):
    """The Maps panel's settings, as a link carries them (``?map=basin&map_runs=0,3&map_grid=80``).

    ``kind`` None: no map. ``runs``: indices into the page's runs (checked against them when the map
    is computed); ``steps`` None: the runs' own steps; ``color`` None: the kind's first colour;
    ``grid`` (basin: G x G cells) and ``side`` (sensitivity: values per axis) at their defaults
    stay out of the link, as do ``x_param`` ``"lr"`` and an empty ``y_param`` (each run's first choices).
    """

    kind: str | None = None
    runs: tuple = (0,)
    grid: int = DEFAULT_GRID
    steps: int | None = None
    color: str | None = None
    x_param: str = "lr"
    y_param: str = ""
    side: int = DEFAULT_SIDE

    def link_text(self) -> dict:
        """The settings not at their default, as link text, in :data:`MAP_KEYS` order (empty without a map)."""
        if self.kind is None:
            return {}
        text = {"map": self.kind}
        if self.runs != (0,):
            text["map_runs"] = ",".join(str(i) for i in self.runs)
        if self.kind == "basin" and self.grid != DEFAULT_GRID:
            text["map_grid"] = str(self.grid)
        if self.steps is not None:
            text["map_steps"] = str(self.steps)
        if self.color is not None and self.color != MAP_COLORS[self.kind][0]:
            text["map_color"] = self.color
        if self.kind == "sensitivity":
            if self.x_param != "lr":
                text["map_x"] = self.x_param
            if self.y_param:
                text["map_y"] = self.y_param
            if self.side != DEFAULT_SIDE:
                text["map_n"] = str(self.side)
        return text


@dataclass
class AppState:
    """Everything needed to reproduce the page. ``start``/``view`` ``None`` mean the surface's own."""

    surface: str = DEFAULT_SURFACE
    surface_params: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)
    start: tuple | None = None
    steps: int = DEFAULT_STEPS
    view: tuple | None = None
    scenario: str | None = None   # the lecture scenario this page was opened from (its id)
    lesson: bool = False          # lesson mode: previous / next through every scenario in order (needs a scenario)
    maps: MapSettings = MapSettings()          # the Maps panel's settings
    views: ViewOptions = ViewOptions()         # the lecture views that are on (arrows, side by side, 3D...)
    revision: int = 0      # bumped on structural edits so the run panel re-renders
    lang: str = "en"       # the page's language (webapp.i18n.LANGUAGES); in the link as lang=ko
    handout: dict = field(default_factory=dict)  # handout-link flags (hide, lock, only, embed, v): webapp.state.handout

    def landscape(self):
        return landscapes.get(self.surface, **self.surface_params)

    def start_point(self) -> tuple:
        return tuple(self.start) if self.start is not None else tuple(self.landscape().start)

    def view_box(self) -> tuple:
        return tuple(self.view) if self.view is not None else tuple(self.landscape().view)



# ------------------------------------------------------------------ defaults
# ------------------------------------------------------------------ defaults
def schema_defaults(schema) -> dict:
    return {p.name: p.default for p in schema}


def default_run(optimizer: str, color: int = 0, **overrides) -> RunSpec:
    """A new run of ``optimizer`` with the teaching-friendly values its class declares (``starter_hyper``)."""
    hyper = schema_defaults(optimizers.schema(optimizer))
    hyper.update({k: v for k, v in optimizer_class(optimizer).starter_hyper.items() if k in hyper})
    hyper.update(overrides)
    return RunSpec(optimizer=optimizer, hyper=hyper, color=color)


def default_state() -> AppState:
    """The page a student first sees: the ill-conditioned valley, four classic optimizers, 300 steps."""
    surface = DEFAULT_SURFACE if DEFAULT_SURFACE in landscapes.names() else landscapes.names()[0]
    known = [name for name in DEFAULT_OPTIMIZERS if name in optimizers.names()]
    for name in optimizers.names():      # fill up to four if a classic one is not registered (yet)
        if len(known) >= 4:
            break
        if name not in known:
            known.append(name)
    runs = [default_run(name, color=optimizer_color(name)) for name in known[:4]]
    return AppState(surface=surface, surface_params=schema_defaults(landscapes.schema(surface)), runs=runs)


def free_color(runs) -> int:
    """The first palette colour no run uses (cycling when all are taken)."""
    used = {run.color for run in runs}
    for index in range(len(PALETTE)):
        if index not in used:
            return index
    return len(runs) % len(PALETTE)


def with_runs(state: AppState, runs: list) -> AppState:
    return replace(state, runs=list(runs), revision=state.revision + 1)

