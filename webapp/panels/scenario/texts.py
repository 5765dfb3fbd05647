"""Every UI string of the scenario caption, the lesson mode and the results table, in one place (for
translation). Scenario texts themselves are data: ``webapp/scenarios/lecture.toml``."""
from __future__ import annotations

__all__ = ["RESULTS_HEADINGS", "PHASE_HEADINGS", "TEXTS"]

RESULTS_HEADINGS = ("Run", "Final loss", "Distance to min", "Settled at (1e-3)", "Status")
PHASE_HEADINGS = {"predict": "Predict", "takeaway": "Takeaway"}
TEXTS = {
    "scenario": "Scenario {number}: {title}",
    "also": "Also: ",
    "main_picture": "Main picture",
    "try": "Try: ",
    "reveal": "Show the takeaway now",
    "reveal_title": "The takeaway opens by itself when the last step is reached",
    "play_first": "Predict, then press \u25b6.",
    "previous": "\u25c0 Previous",
    "next": "Next \u25b6",
    "lesson_position": "Lesson {position} / {count}",
    "leave_lesson": "Leave the lesson",
    "start_lesson": "Lesson mode",
    "start_lesson_title": "Step through every scenario in order: predict, play, reveal",
}
