"""Every UI string of the scenario caption, the lesson mode and the results table: keys of the message
catalogs (``webapp/i18n/messages.<lang>.toml``, tables ``[caption]`` and ``[results]``), here by language.
Scenario texts themselves are data: ``webapp/scenarios/lecture.toml`` (and ``lecture.ko.toml``).

``RESULTS_HEADINGS``, ``PHASE_HEADINGS`` and ``TEXTS`` are the English ones; :func:`results_headings`,
:func:`phase_headings` and :func:`texts` give them in any language.
"""
from __future__ import annotations

from webapp.i18n import t

__all__ = ["RESULTS_HEADINGS", "PHASE_HEADINGS", "TEXTS", "results_headings", "phase_headings", "texts"]

RESULTS_COLUMNS = ("run", "final_loss", "distance", "settled_at", "status")
PHASES = ("predict", "takeaway")
TEXT_KEYS = ("scenario", "also", "main_picture", "try", "reveal", "reveal_title", "play_first", "previous", "next",
             "lesson_position", "leave_lesson", "start_lesson", "start_lesson_title")


def results_headings(lang: str = "en") -> tuple:
    return tuple(t(f"results.{column}", lang) for column in RESULTS_COLUMNS)


def phase_headings(lang: str = "en") -> dict:
    return {phase: t(f"caption.{phase}", lang) for phase in PHASES}


def texts(lang: str = "en") -> dict:
    """The caption's and lesson bar's words; ``scenario`` and ``lesson_position`` hold ``{placeholders}``."""
    return {key: t(f"caption.{key}", lang) for key in TEXT_KEYS}


RESULTS_HEADINGS = results_headings()
PHASE_HEADINGS = phase_headings()
TEXTS = texts()
