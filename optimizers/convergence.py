"""When a run converged, honestly: the first touch of a tolerance and the step it settled.

A run's *gap* is a ``(T+1, N)`` array (loss minus the global minimum's value,
the gradient norm, or the distance to the nearest known minimum), and a step
``k`` is *within* when ``gap[k] <= tol`` and the run has not diverged by then.

* ``touched_at``: the first ``k`` within, or -1 (:func:`first_within`).
* ``settled_at``: the first ``k`` such that every step ``k, k+1, ..., T`` is
  within, or -1 when the last step is not (or the run diverged)
  (:func:`settled_within`). ``settled_at >= touched_at`` always.
* *touched and left again*: ``touched_at >= 0`` and ``settled_at != touched_at``
  (it was within at ``touched_at``, and outside at some later step).

A run that only touches the tolerance and climbs back out (Nesterov at step 24
on the default valley; RMSProp at constant lr, which reaches 1e-90 and then
leaves) is not "converged": ``settled_at`` is the number to show.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Convergence", "within", "before_divergence", "first_within", "settled_within", "last_outside", "convergence",
           "describe", "NEVER"]

NEVER = -1


def within(gap: np.ndarray, tol: float, diverged_at: np.ndarray, first_step: int = 0) -> np.ndarray:
    """``(K, N)`` bool: ``gap <= tol`` (NaN is never within) and the run had not diverged at that step.

    ``gap`` holds steps ``first_step .. first_step + K - 1``; ``diverged_at`` is ``(N,)``, -1 for none.
    """
    with np.errstate(invalid="ignore"):
        hit = np.asarray(gap) <= tol
    return before_divergence(hit, diverged_at, first_step)


def before_divergence(hit: np.ndarray, diverged_at: np.ndarray, first_step: int = 0) -> np.ndarray:
    """``hit`` ``(K, N)`` (steps ``first_step ..``) with every step at or after a run's divergence set False."""
    went_bad = diverged_at >= 0
    if went_bad.any():
        steps = np.arange(first_step, first_step + hit.shape[0])[:, None]     # (K, 1)
        hit &= ~(went_bad & (steps >= diverged_at))
    return hit


def first_within(hit: np.ndarray) -> np.ndarray:
    """``(N,)`` the first row of ``hit`` ``(T+1, N)`` that is True, or -1."""
    return np.where(hit.any(axis=0), np.argmax(hit, axis=0), NEVER)


def last_outside(hit: np.ndarray) -> np.ndarray:
    """``(N,)`` the last row of ``hit`` ``(K, N)`` that is False, or -1 when every row is True."""
    missed = ~hit
    last = hit.shape[0] - 1 - np.argmax(missed[::-1], axis=0)
    return np.where(missed.any(axis=0), last, NEVER)


def settled_within(hit: np.ndarray) -> np.ndarray:
    """``(N,)`` the first step from which every later row of ``hit`` ``(T+1, N)`` is True, or -1.

    ``settled = last_outside + 1`` when the last row is True; -1 when it is not.
    """
    return np.where(hit[-1], last_outside(hit) + 1, NEVER)


@dataclass(frozen=True)
class Convergence:
    """Per-run convergence of a batch: three ``(N,)`` arrays and what was measured.

    touched_at: first step within ``tol`` (-1 never). settled_at: first step after
    which the run stays within ``tol`` to the end (-1 never). diverged_at: the step
    that diverged (-1 never). ``left_again``: touched, then outside again later.
    """

    touched_at: np.ndarray
    settled_at: np.ndarray
    diverged_at: np.ndarray
    tol: float
    measure: str

    @property
    def left_again(self) -> np.ndarray:
        """``(N,)`` bool: within ``tol`` at ``touched_at`` and outside at some later step."""
        return (self.touched_at >= 0) & (self.settled_at != self.touched_at)

    def describe(self, run: int) -> str:
        """One line for run ``run``: see :func:`describe`."""
        return describe(int(self.touched_at[run]), int(self.settled_at[run]), int(self.diverged_at[run]))


def convergence(gap: np.ndarray, tol: float, diverged_at: np.ndarray, measure: str = "") -> Convergence:
    """:class:`Convergence` of runs whose gap per step is ``gap`` ``(T+1, N)``."""
    hit = within(gap, tol, diverged_at)
    return Convergence(first_within(hit), settled_within(hit), np.asarray(diverged_at), float(tol), measure)


def describe(touched_at: int, settled_at: int, diverged_at: int) -> str:
    """``"diverged at step k"``, ``"settled at step k"``, ``"touched at k, left again"`` or ``"not converged"``.

    A run that touched, left and settled later reads ``"settled at step k (touched at j, left again)"``.
    """
    if diverged_at >= 0:
        return f"diverged at step {diverged_at}"
    if settled_at >= 0:
        if touched_at != settled_at:
            return f"settled at step {settled_at} (touched at {touched_at}, left again)"
        return f"settled at step {settled_at}"
    if touched_at >= 0:
        return f"touched at {touched_at}, left again"
    return "not converged"
