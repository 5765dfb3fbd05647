"""How a number box steps (ArrowUp/ArrowDown and its − / + buttons), for its scale.

The browser's own stepping adds 1 (``step="any"``), which is wrong for a learning rate
(0.03 -> 1.03); a numeric ``step`` would instead make every value off its grid invalid,
and Dash then sends nothing. So every box keeps ``step="any"`` and its container says how
to step in a ``data-step`` attribute, read by ``assets/steppers.js``:

* ``"log"``: multiply or divide by 10^0.1 (ten presses: one decade); from 0, up to ``data-step-floor``;
* ``"int"``: plus or minus 1;
* ``"linear:<d>"``: plus or minus d, a power of ten about 1/100 of the slider's span.
"""
from __future__ import annotations

import math

__all__ = ["step_rule", "step_attrs"]


def step_rule(param) -> str:
    """The ``data-step`` rule of a numeric schema :class:`~landscapes.schema.Param`."""
    if param.kind == "int":
        return "int"
    if param.scale == "log":
        return "log"
    low = param.slider_low if param.slider_low is not None else param.low
    high = param.slider_high if param.slider_high is not None else param.high
    if low is None or high is None or not math.isfinite(high - low) or high <= low:
        return "linear:0.1"
    return f"linear:{10.0 ** math.floor(math.log10((high - low) / 100)):g}"


def step_attrs(rule: str, floor: float | None = None) -> dict:
    """The attributes to put on a number box's container (``floor``: where a log rule starts from 0)."""
    attrs = {"data-step": rule}
    if floor is not None:
        attrs["data-step-floor"] = f"{floor:g}"
    return attrs
