"""The lecture's one-click scenario gallery: twelve claims, each a share link.

A :class:`Scenario` is one claim of CS231n lecture 7 made visible: a page state
(surface, runs, start, steps, view) written as the app's own URL query (see
:mod:`webapp.state`), a question to ask before playing (``predict``) and the
point to state afterwards (``takeaway``). Some claims need a second picture
(the axis-aligned valley next to the rotated one, Newton at a saddle): those
come as :class:`Variant` links of the same scenario.

Every query parses through :func:`webapp.state.from_query` without a notice,
and every takeaway is asserted on the engine's output in
``tests/test_scenarios.py``, so a scenario cannot silently stop showing its
point. This module knows nothing about Dash.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import optimizers
from webapp.state import AppState, RunSpec, from_query

__all__ = ["Scenario", "Variant", "SCENARIOS", "ids", "get", "parse", "simulate_state", "share_query",
           "cycle_minimum_steps", "SCENARIO_KEY"]

SCENARIO_KEY = "scenario"     # the URL key that names a scenario: ?scenario=<id>&surface=...


@dataclass(frozen=True)
class Variant:
    """A second picture for the same claim: its own query and a one-line note."""

    label: str
    query: str
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """One claim of the lecture as a reproducible page.

    Attributes:
        id: URL-safe key, e.g. ``"zigzag_valley"``.
        number: its place in the lecture (1-12).
        title: a short heading.
        claim: the lecture's statement, in one sentence.
        predict: the question shown before playing.
        takeaway: what the animation showed, stated after it has played to the end.
        query: the page state as a canonical query string (leading ``'?'``).
        knobs: controls worth turning afterwards, e.g. ``"kappa"``.
        variants: further pictures of the same claim.
        polyak_from: for Polyak averaging, the step from which iterates are averaged.
    """

    id: str
    number: int
    title: str
    claim: str
    predict: str
    takeaway: str
    query: str
    knobs: tuple = ()
    variants: tuple = ()
    polyak_from: int | None = None

    def queries(self) -> tuple:
        """The main query, then every variant's."""
        return (self.query,) + tuple(v.query for v in self.variants)

    def state(self, variant: int | None = None) -> AppState:
        """The parsed page state of the main query (or of variant ``variant``)."""
        return parse(self.query if variant is None else self.variants[variant].query)


def share_query(scenario: Scenario, variant: int | None = None) -> str:
    """The link that opens a scenario: ``"?scenario=<id>&" + query`` without its ``'?'``."""
    query = scenario.query if variant is None else scenario.variants[variant].query
    return f"?{SCENARIO_KEY}={scenario.id}&{query.lstrip('?')}"


def parse(query: str) -> AppState:
    """The state of a scenario query; raises ValueError if the parser had anything to correct."""
    state, notices = from_query(query)
    if notices:
        raise ValueError(f"scenario query {query!r} needs corrections: {notices}")
    return state


def simulate_state(state: AppState) -> list:
    """One :class:`optimizers.Trajectory` per run of ``state`` (state order), as the page computes them.

    Every run starts at ``state.start_point()`` and takes ``state.steps`` steps
    with its own schedule, gradient noise and seed. Runs are stepped one by one;
    the engine guarantees this equals the page's batched stepping bit for bit.
    Each trajectory's ``path`` is ``(T+1, 1, 2)``.
    """
    surface = state.landscape()
    start = np.asarray(state.start_point(), dtype=np.float64)[None, :]     # (1, 2)
    return [optimizers.simulate(surface, run.build_optimizer(), start, state.steps,
                                schedule=run.build_schedule(), noise=run.noise, seed=run.seed)
            for run in state.runs]


def cycle_minimum_steps(run: RunSpec, steps: int) -> np.ndarray:
    """Steps t in 1..steps at which a cyclic schedule's rate is at the bottom of a cycle.

    The rate at epoch t is the one the step from t to t+1 uses; ``path[t]`` is
    then the point reached after a stretch of the smallest rates: a snapshot
    for a snapshot ensemble. Returns the sorted steps, shape ``(K,)``.
    """
    rates = np.asarray(run.build_schedule().values(run.hyper["lr"], steps + 1), dtype=np.float64).ravel()
    lowest = rates.min()
    bottom = np.isclose(rates, lowest, rtol=1e-12, atol=0.0)
    return np.flatnonzero(bottom[1:]) + 1


# --------------------------------------------------------------------------- the twelve
_ROTATED_VIEW = "view=-6,6,-6,6"
_ROSENBROCK_VIEW = "view=-2,2,-3,3"     # Newton's second step dips to y = -2.7

SCENARIOS: tuple = (
    Scenario(
        id="zigzag_valley", number=1,
        title="SGD zig-zags in a narrow valley",
        claim="When the loss changes fast in one direction and slowly in another, gradient descent "
              "bounces across the steep walls and crawls along the floor; momentum and Adam fix it.",
        predict="The valley is 50 times steeper across than along. Which run will bounce from wall to wall, "
                "and which will reach the centre first?",
        takeaway="SGD's steps flip sign across the valley at every step while it inches along the floor. "
                 "Momentum averages the flips away and keeps the downhill part; Adam rescales each axis. "
                 "Both reach the minimum in far fewer steps.",
        query="?surface=ill_conditioned&steps=200&run=sgd:lr=0.038&run=momentum:lr=0.01&run=adam:lr=0.3&arrows=1",
        knobs=("kappa: the steeper the walls, the worse the zig-zag", "SGD's lr: above 2/kappa it diverges"),
    ),
    Scenario(
        id="saddle_crawl", number=2,
        title="SGD crawls near a saddle point",
        claim="At a saddle point the gradient is zero although it is no minimum; near it the slope is "
              "so flat that SGD barely moves, while momentum keeps its velocity and passes through.",
        predict="Both runs start almost on the ridge line of a saddle. Which one will still be near the "
                "centre after 120 steps?",
        takeaway="SGD slides to the flat centre and lingers there: the gradient it follows is almost zero. "
                 "Momentum builds up speed along the tiny downhill direction and leaves the picture. "
                 "In high dimensions saddles are far more common than local minima.",
        query="?surface=saddle&steps=120&run=sgd:lr=0.01&run=momentum:lr=0.01",
        knobs=("start: move it off the ridge line", "steps"),
    ),
    Scenario(
        id="local_minimum_trap", number=3,
        title="A local minimum traps SGD",
        claim="Where the gradient is zero SGD stops, even in a shallow local well; momentum's velocity "
              "can carry a run over the rim towards a deeper minimum.",
        predict="Three wells, only one of them the deepest. The runs start above the upper-left well. "
                "Where will each one end?",
        takeaway="SGD drops into the first well it meets and stays: the gradient is zero at its bottom. "
                 "Momentum arrives with speed, rolls through the shallow well and over the pass, and "
                 "settles in the global minimum.",
        query="?surface=local_minima&start=-1.5,3&steps=200&run=sgd:lr=0.3&run=momentum:lr=0.1",
        knobs=("depth: deeper local wells hold momentum too", "momentum's lr"),
    ),
    Scenario(
        id="nesterov_overshoot", number=4,
        title="Nesterov overshoots less than Momentum",
        claim="Nesterov momentum evaluates the gradient after the velocity step, a look-ahead that "
              "brakes earlier than plain momentum.",
        predict="Same valley, same learning rate, same momentum 0.9. Which run swings farther past the "
                "minimum?",
        takeaway="Plain momentum sails past the minimum and swings across the steep walls. Nesterov sees "
                 "the slope where its velocity is taking it, brakes earlier, overshoots less and arrives "
                 "much sooner.",
        query="?surface=ill_conditioned&steps=150&run=momentum:lr=0.01&run=nesterov:lr=0.01",
        knobs=("momentum: 0.99 makes both swing more", "lr"),
    ),
    Scenario(
        id="adagrad_stall", number=5,
        title="AdaGrad's steps shrink until it stalls",
        claim="AdaGrad divides by the square root of the sum of all squared gradients so far; that sum "
              "only grows, so its steps get smaller and smaller. RMSProp lets old gradients decay.",
        predict="Both runs use lr = 0.1 and divide by their gradient history. Which one reaches the "
                "minimum within 300 steps?",
        takeaway="AdaGrad's step length keeps shrinking (like 1/sqrt(t) once its history is fixed) and it "
                 "stops far from the minimum. RMSProp forgets old gradients, keeps a useful step and "
                 "arrives.",
        query="?surface=ill_conditioned&run=adagrad:lr=0.1&run=rmsprop:lr=0.1",
        knobs=("AdaGrad's lr: a larger one only postpones the stall", "RMSProp's alpha"),
    ),
    Scenario(
        id="adam_bias_correction", number=6,
        title="Adam without bias correction takes an outsized first step",
        claim="Adam's moment estimates start at zero; dividing by (1 - beta^t) corrects that bias. "
              "Without it the second moment is tiny at first and the first steps are far too large.",
        predict="Two Adam runs, one with bias correction switched off. How long will each first step be?",
        takeaway="Without correction the first step is (1 - beta1)/sqrt(1 - beta2), about 3.2 times the "
                 "learning rate per axis, and the early steps keep growing; with correction the first "
                 "step is exactly lr per axis.",
        query="?surface=ill_conditioned&steps=100&run=adam:lr=0.3&run=adam:lr=0.3,bias_correction=false&inner=1",
        knobs=("beta2: 0.9999 makes the uncorrected first step 10 times lr", "lr"),
    ),
    Scenario(
        id="learning_rate_choice", number=7,
        title="Learning rate: too small, too large, just right; then decay",
        claim="Too small a learning rate barely moves, too large diverges; with noisy gradients a rate "
              "that decays over time (step, exponential, 1/t) settles closer to the minimum.",
        predict="Three SGD runs differ only in their learning rate. Which one explodes, which one is "
                "still far away after 300 steps?",
        takeaway="lr = 0.0005 covers a fraction of the way; lr = 0.045 is beyond 2/kappa = 0.04 and "
                 "blows up across the valley; lr = 0.035 converges. With noise (second link), every "
                 "decay schedule ends much closer to the minimum than the constant rate, which keeps "
                 "jittering.",
        query="?surface=ill_conditioned&run=sgd:lr=0.0005&run=sgd:lr=0.045&run=sgd:lr=0.035",
        knobs=("lr", "the decay schedules' step size, gamma and k", "seed"),
        variants=(
            Variant("Decay schedules under noise",
                    "?surface=ill_conditioned&steps=400&run=sgd:lr=0.035;noise=4;seed=1"
                    "&run=sgd:lr=0.035;sched=step:step_size=150;noise=4;seed=1"
                    "&run=sgd:lr=0.035;sched=exponential:gamma=0.995;noise=4;seed=1"
                    "&run=sgd:lr=0.035;sched=inverse_time:decay=0.02;noise=4;seed=1",
                    "Same noisy gradients: constant rate, step decay, exponential decay and 1/t decay."),
        ),
    ),
    Scenario(
        id="minibatch_noise", number=8,
        title="Mini-batch noise against the full gradient",
        claim="A mini-batch gives a noisy estimate of the gradient; the noise makes each run wander and "
              "different batches (seeds) give different paths.",
        predict="One run follows the exact gradient, five follow noisy estimates that differ only in "
                "their random seed. Will the noisy runs agree with each other?",
        takeaway="The full-gradient path is smooth and its loss never rises. The noisy paths fan out, "
                 "zig-zag, sometimes go uphill, and end scattered around the minimum instead of on it.",
        query="?surface=ill_conditioned&run=sgd:lr=0.015" + "".join(
            f"&run=sgd:lr=0.015;noise=8;seed={seed}" for seed in range(1, 6)),
        knobs=("noise sigma", "lr: a smaller one shrinks the scatter"),
    ),
    Scenario(
        id="second_order", number=9,
        title="Newton and L-BFGS: few steps; Newton's trouble at a saddle",
        claim="Second-order methods fit a quadratic with the Hessian and jump to its minimum: no "
              "learning rate and very few steps on a full-batch problem; but Newton is attracted by "
              "saddle points.",
        predict="Newton, L-BFGS and Adam on the Rosenbrock valley. How many steps, and how many "
                "gradient evaluations, does each need to reach (1, 1)?",
        takeaway="Newton and L-BFGS land on (1, 1) within a handful of steps (L-BFGS's line search "
                 "spends a few dozen gradient evaluations), while Adam needs hundreds. At a saddle "
                 "(second link) plain "
                 "Newton jumps straight onto the saddle and stays; saddle-free Newton flips the negative "
                 "curvature and escapes.",
        query="?surface=rosenbrock&steps=700&run=newton&run=lbfgs:line_search_fn=strong_wolfe&run=adam:lr=0.1"
              "&" + _ROSENBROCK_VIEW + "&loss_x=evals",
        knobs=("L-BFGS's line search", "Newton's saddle_free switch"),
        variants=(
            Variant("Newton at a saddle", "?surface=saddle&steps=20&run=newton&run=newton:saddle_free=true"
                    "&run=sgd:lr=0.1", "Plain Newton steps onto the saddle; saddle-free Newton leaves it."),
            Variant("Newton at a monkey saddle", "?surface=monkey_saddle&steps=30&run=newton"
                    "&run=newton:saddle_free=true", "A degenerate saddle: plain Newton still converges onto it."),
        ),
    ),
    Scenario(
        id="polyak_snapshot", number=10,
        title="Polyak averaging and snapshot ensembles",
        claim="Averaging the parameters along a noisy run (Polyak averaging) gives a better point than "
              "the last iterate; snapshots taken at the low points of a cyclic learning rate make a "
              "cheap ensemble.",
        predict="Two noisy SGD runs: one at a constant rate, one with a cyclic rate. Will the average of "
                "the points they visit be closer to the minimum than the points themselves?",
        takeaway="The noise keeps every iterate jittering around the minimum, but the jitter averages "
                 "out: the Polyak average (from step 100) sits much closer than a typical iterate. The "
                 "snapshots at the bottom of each learning-rate cycle are good points, and their average "
                 "is closer still. (A real ensemble averages the snapshots' predictions; on a map we can "
                 "only average their positions.)",
        query="?surface=quadratic_bowl&run=sgd:lr=0.1;noise=1;seed=1"
              "&run=sgd:lr=0.01;sched=cyclic:max_lr=0.3,step_size_up=25;noise=1;seed=1&polyak=1&polyak_from=100",
        knobs=("noise sigma", "the cycle length step_size_up", "seed"),
        polyak_from=100,
    ),
    Scenario(
        id="l2_moves_minimum", number=11,
        title="An L2 term moves the minimum",
        claim="Regularization adds a term to the loss; with L2, (lambda/2)|w|^2 pulls the minimum "
              "towards the origin, so the optimizer converges somewhere else.",
        predict="The Rosenbrock minimum is at (1, 1). With lambda = 1 added to the loss, where will the "
                "runs end?",
        takeaway="Both runs converge to the minimum of the regularized loss, near (0.55, 0.31), not to "
                 "(1, 1): the optimizer minimizes the loss it is given, and the L2 term changed it. "
                 "The second link shows the same runs without the term.",
        query="?surface=rosenbrock&l2=1&steps=800&run=momentum&run=newton&" + _ROSENBROCK_VIEW,
        knobs=("l2: larger lambda pulls the minimum closer to the origin",),
        variants=(
            Variant("Without the L2 term",
                    "?surface=rosenbrock&steps=800&run=momentum&run=newton&" + _ROSENBROCK_VIEW,
                    "lambda = 0: the runs end at (1, 1)."),
        ),
    ),
    Scenario(
        id="rotated_valley", number=12,
        title="Rotate the valley: per-coordinate adaptivity loses its edge",
        claim="AdaGrad, RMSProp and Adam scale each coordinate separately; that fixes a valley aligned "
              "with the axes but not one that runs diagonally.",
        predict="The same valley, rotated by 45 degrees. Momentum does not care about the axes; will the "
                "adaptive methods still keep up with it?",
        takeaway="Momentum needs exactly as many steps as in the aligned valley. The adaptive methods "
                 "need several times more: both axes now see both curvatures, so dividing per axis no "
                 "longer evens them out. Compare with the aligned valley (second link).",
        query="?surface=ill_conditioned&angle=45&start=-4.2426,-2.8284&steps=400&run=momentum:lr=0.01"
              "&run=adagrad:lr=1&run=rmsprop:lr=0.05&run=adam:lr=0.1&" + _ROTATED_VIEW,
        knobs=("angle", "kappa"),
        variants=(
            Variant("Axis-aligned valley", "?surface=ill_conditioned&start=-5,1&steps=400&run=momentum:lr=0.01"
                    "&run=adagrad:lr=1&run=rmsprop:lr=0.05&run=adam:lr=0.1&" + _ROTATED_VIEW,
                    "angle = 0, same start in the valley's own coordinates."),
        ),
    ),
)

_BY_ID = {scenario.id: scenario for scenario in SCENARIOS}


def ids() -> list[str]:
    """Scenario ids in lecture order."""
    return [scenario.id for scenario in SCENARIOS]


def get(scenario_id: str) -> Scenario:
    """The scenario with this id; ValueError naming the known ids otherwise."""
    try:
        return _BY_ID[scenario_id]
    except (KeyError, TypeError):
        raise ValueError(f"unknown scenario {scenario_id!r}; known: {', '.join(_BY_ID)}") from None
