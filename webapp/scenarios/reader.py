"""Read the scenarios from their data file (TOML, standard library ``tomllib``) into :class:`Scenario` records.

The file is a list of ``[[scenario]]`` tables; each has the fields of
:class:`~webapp.scenarios.model.Scenario`, with ``query`` written either as
one string or as a list of ``key=value`` parts joined by ``&`` (one run per
line reads best), optional ``[[scenario.variant]]`` tables and an optional
``[scenario.robustness]`` table. Anything missing, misspelt or of the wrong
type is a ValueError naming the scenario and the field: a bad data file fails
at import, in every test, never on a page.
"""
from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

from webapp.scenarios.model import Robustness, Scenario, Variant

__all__ = ["read", "DATA_FILE"]

DATA_FILE = Path(__file__).with_name("lecture.toml")

_TEXT = ("id", "title", "claim", "predict", "takeaway")
_TUPLES = ("knobs", "hints", "run_names", "later")


def _query(value, where: str) -> str:
    if isinstance(value, str):
        parts = [value.lstrip("?")]
    elif isinstance(value, list) and value and all(isinstance(part, str) for part in value):
        parts = [part.strip().lstrip("?&") for part in value]
    else:
        raise ValueError(f"{where}: query must be a string or a list of strings")
    return "?" + "&".join(part for part in parts if part)


def _strings(value, where: str) -> tuple:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"{where} must be a list of non-empty strings")
    return tuple(item.strip() for item in value)


def _check_keys(table: dict, allowed: set, where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")


def _variant(table, where: str) -> Variant:
    if not isinstance(table, dict):
        raise ValueError(f"{where} must be a table")
    _check_keys(table, {"label", "query", "note", "run_names"}, where)
    if not isinstance(table.get("label"), str) or not table["label"].strip():
        raise ValueError(f"{where}: label is missing")
    return Variant(label=table["label"].strip(), query=_query(table.get("query"), where),
                   note=str(table.get("note", "")).strip(),
                   run_names=_strings(table.get("run_names", []), f"{where}: run_names") if "run_names" in table
                   else ())


def _robustness(table, where: str) -> Robustness:
    if not isinstance(table, dict):
        raise ValueError(f"{where} must be a table")
    allowed = {f.name for f in fields(Robustness)}
    _check_keys(table, allowed, where)
    values = {**{f.name: f.default for f in fields(Robustness)}, **table}
    factors = values["lr_factors"]
    if not (isinstance(factors, (list, tuple)) and factors and all(isinstance(f, (int, float)) and f > 0
                                                                  for f in factors)):
        raise ValueError(f"{where}: lr_factors must be a list of positive numbers")
    if not (isinstance(values["seeds"], int) and values["seeds"] >= 1):
        raise ValueError(f"{where}: seeds must be a whole number >= 1")
    if not (isinstance(values["pass_fraction"], (int, float)) and 0 < values["pass_fraction"] <= 1):
        raise ValueError(f"{where}: pass_fraction must be in (0, 1]")
    if not (isinstance(values["start_shift"], (int, float)) and 0 <= values["start_shift"] < 0.5):
        raise ValueError(f"{where}: start_shift must be in [0, 0.5)")
    return Robustness(lr_factors=tuple(float(f) for f in factors), start_shift=float(values["start_shift"]),
                      seeds=values["seeds"], pass_fraction=float(values["pass_fraction"]))


def _scenario(table, position: int) -> Scenario:
    where = f"scenario {table.get('id', position + 1) if isinstance(table, dict) else position + 1}"
    if not isinstance(table, dict):
        raise ValueError(f"{where} must be a table")
    allowed = {f.name for f in fields(Scenario)} - {"variants"} | {"variant"}
    _check_keys(table, allowed, where)
    values = {}
    for name in _TEXT:
        if not isinstance(table.get(name), str) or not table[name].strip():
            raise ValueError(f"{where}: {name} is missing or empty")
        values[name] = " ".join(table[name].split())          # TOML line breaks read as single spaces
    if not isinstance(table.get("number"), int) or table["number"] < 1:
        raise ValueError(f"{where}: number must be a whole number >= 1")
    values["number"] = table["number"]
    values["query"] = _query(table.get("query"), where)
    for name in _TUPLES:
        if name in table:
            values[name] = _strings(table[name], f"{where}: {name}")
    if "hint_queries" in table:
        given = table["hint_queries"]
        if not isinstance(given, list) or len(given) != len(values.get("hints", ())) or \
                not all(isinstance(q, str) for q in given):
            raise ValueError(f"{where}: hint_queries must be a list of strings, one per hint")
        values["hint_queries"] = tuple(_query(q, f"{where}: hint_queries") if q.strip() else "" for q in given)
    values["variants"] = tuple(_variant(v, f"{where}, variant {i + 1}") for i, v in enumerate(table.get("variant", [])))
    if "robustness" in table:
        values["robustness"] = _robustness(table["robustness"], f"{where}: robustness")
    return Scenario(**values)


def read(path: Path = DATA_FILE) -> tuple:
    """Every scenario of the data file, in lesson order (sorted by ``number``); ValueError on bad data."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    _check_keys(data, {"scenario"}, str(path.name))
    scenarios = tuple(_scenario(table, i) for i, table in enumerate(data.get("scenario", [])))
    ids = [s.id for s in scenarios]
    numbers = [s.number for s in scenarios]
    for label, values in (("id", ids), ("number", numbers)):
        repeated = sorted({str(v) for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"{path.name}: scenario {label} repeated: {', '.join(repeated)}")
    return tuple(sorted(scenarios, key=lambda s: s.number))
