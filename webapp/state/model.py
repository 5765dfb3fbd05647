"""The page state as typed records: :class:`AppState` (surface, runs, start, steps, view, views, maps)
and :class:`RunSpec` (one optimizer run), with the palette and the defaults a new page starts from.

Nothing here parses or validates: :mod:`webapp.state.coerce` does that, and the codecs
(:mod:`webapp.state.url`, :mod:`webapp.state.store`) build states only through it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import landscapes
import optimizers
from optimizers.base import optimizer_class
from optimizers import schedules

__all__ = ["RunSpec", "AppState", "PALETTE", "DEFAULT_SURFACE", "DEFAULT_STEPS", "DEFAULT_OPTIMIZERS",
           "schema_defaults", "default_run", "default_state", "free_color", "with_runs"]

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7F6A00", "#000000")
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
    maps: dict = field(default_factory=dict)   # Maps panel settings as URL text (webapp.state.maps_settings)
    views: dict = field(default_factory=dict)  # lecture views (arrows, side by side, 3D...): webapp.state.view_options
    revision: int = 0      # bumped on structural edits so the run panel re-renders
    lang: str = "en"       # the page's language (webapp.i18n.LANGUAGES); in the link as lang=ko

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
    runs = [default_run(name, color=i) for i, name in enumerate(known[:4])]
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

