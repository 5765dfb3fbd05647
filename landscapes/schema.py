"""Parameter schemas shared by surfaces and optimizers.

One :class:`Param` describes one tunable number, switch, choice or text: its name, default,
valid range, whether a slider for it should be logarithmic, and one line of
help. The same record drives validation (here), the UI controls, the share URL
and the generic tests, so adding an optimizer or a surface never needs UI code.

Numeric parameters may be given as a scalar or as a 1-D array of per-run values
(one per row of an ``(N, 2)`` batch); validation checks every element.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["Param", "validate_params"]

_KINDS = ("float", "int", "bool", "choice", "text")
# Characters a text parameter never holds: NUL and the other C0 controls except tab and newlines.
_CONTROL_CHARACTERS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


@dataclass(frozen=True)
class Param:
    """One parameter of an optimizer, schedule or surface.

    kind:
        ``"float"`` and ``"int"`` are numbers in ``[low, high]`` (an open end
        when ``low_open`` / ``high_open``); ``"bool"`` is a switch; ``"choice"``
        takes one of ``choices`` (``None`` may be one of them); ``"text"`` is a
        string of at most ``max_length`` characters without control characters
        (e.g. a formula, which its owner parses further).
    scale:
        ``"log"`` or ``"linear"``: how a slider for it should move. A log
        parameter may still allow 0 (``low=0``); the UI then offers 0 apart.
    per_run:
        numeric parameters accept a 1-D array with one value per run, so one
        batch can sweep a hyperparameter (sensitivity maps). Switches and
        choices are one value for the whole batch.
    """

    name: str
    default: Any
    help: str
    kind: str = "float"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    scale: str = "linear"
    choices: tuple = ()
    label: str | None = None
    per_run: bool = True
    slider_low: float | None = None   # the UI range, inside [low, high]
    slider_high: float | None = None
    max_length: int = 500             # text parameters only

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"Param {self.name!r}: unknown kind {self.kind!r}")
        if self.scale not in ("log", "linear"):
            raise ValueError(f"Param {self.name!r}: unknown scale {self.scale!r}")

    # ------------------------------------------------------------------ text
    @property
    def title(self) -> str:
        return self.label or self.name

    def range_text(self) -> str:
        """The valid range as people read it, e.g. ``[0, 1)`` or ``one of None, 'strong_wolfe'``."""
        if self.kind == "bool":
            return "True or False"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "text":
            return f"text up to {self.max_length} characters"
        lo = "-inf" if self.low is None else _fmt(self.low)
        hi = "inf" if self.high is None else _fmt(self.high)
        left = "(" if (self.low_open or self.low is None) else "["
        right = ")" if (self.high_open or self.high is None) else "]"
        return f"{left}{lo}, {hi}{right}"

    # ------------------------------------------------------------ validation
    def validate(self, value: Any, owner: str = "") -> Any:
        """Return ``value`` coerced to this parameter's type, or raise ValueError.

        The message names the owner, the parameter and its valid range, like
        torch.optim's ``Invalid learning rate: -1``.
        """
        where = f"{owner}: " if owner else ""
        if self.kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            raise ValueError(f"{where}Invalid {self.name}: {value!r} (must be True or False)")
        if self.kind == "choice":
            for choice in self.choices:
                if value == choice and type(value) is type(choice):
                    return choice
            raise ValueError(f"{where}Invalid {self.name}: {value!r} (must be {self.range_text()})")
        if self.kind == "text":
            return self._validate_text(value, where)
        if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, str):
            raise ValueError(f"{where}Invalid {self.name}: {value!r} (must be a number in {self.range_text()})")
        array = np.asarray(value)
        if array.ndim > 1 or (array.ndim == 1 and not self.per_run):
            raise ValueError(f"{where}Invalid {self.name}: must be a single number")
        if array.ndim == 1 and array.size == 0:
            raise ValueError(f"{where}Invalid {self.name}: empty array")
        if not np.issubdtype(array.dtype, np.number):
            raise ValueError(f"{where}Invalid {self.name}: {value!r} (must be a number in {self.range_text()})")
        as_float = array.astype(np.float64)
        if not np.all(np.isfinite(as_float)):
            raise ValueError(f"{where}Invalid {self.name}: {value!r} (must be finite, in {self.range_text()})")
        if self.kind == "int" and not np.all(as_float == np.round(as_float)):
            raise ValueError(f"{where}Invalid {self.name}: {value!r} (must be a whole number in {self.range_text()})")
        bad = np.zeros(as_float.shape, dtype=bool)
        if self.low is not None:
            bad |= (as_float <= self.low) if self.low_open else (as_float < self.low)
        if self.high is not None:
            bad |= (as_float >= self.high) if self.high_open else (as_float > self.high)
        if np.any(bad):
            shown = value if array.ndim == 0 else float(as_float[bad].ravel()[0])
            raise ValueError(f"{where}Invalid {self.name}: {shown!r} (must be in {self.range_text()})")
        if array.ndim == 1:
            return as_float.astype(np.int64) if self.kind == "int" else as_float
        return int(as_float) if self.kind == "int" else float(as_float)

    def _validate_text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{where}Invalid {self.name}: {_clip(repr(value))} (must be {self.range_text()})")
        if len(value) > self.max_length:
            raise ValueError(f"{where}Invalid {self.name}: {len(value)} characters (must be {self.range_text()})")
        bad = next((i for i, char in enumerate(value) if char in _CONTROL_CHARACTERS), None)
        if bad is not None:
            raise ValueError(f"{where}Invalid {self.name}: control character U+{ord(value[bad]):04X} "
                             f"at column {bad + 1}")
        return value

    def to_dict(self) -> dict:
        """A JSON-friendly description (for the UI and documentation)."""
        return {
            "name": self.name, "label": self.title, "default": self.default, "help": self.help,
            "kind": self.kind, "low": self.low, "high": self.high, "low_open": self.low_open,
            "high_open": self.high_open, "scale": self.scale, "choices": list(self.choices),
            "slider_low": self.slider_low, "slider_high": self.slider_high, "max_length": self.max_length,
        }


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _fmt(number: float) -> str:
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return f"{number:g}"


def validate_params(schema: Sequence[Param], given: Mapping[str, Any], owner: str) -> dict:
    """Fill defaults and validate ``given`` against ``schema``.

    Unknown names raise ValueError listing the known ones, so a typo never
    silently runs with a default.
    """
    known = {p.name: p for p in schema}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"{owner}: unknown parameter {unknown[0]!r}; known: {', '.join(known)}")
    values = {}
    for param in schema:
        values[param.name] = param.validate(given[param.name], owner) if param.name in given else param.default
    return values
