"""The scenarios' texts in other languages: message catalogs beside ``lecture.toml``.

A catalog is ``lecture.<lang>.toml`` (today ``lecture.ko.toml``, Korean). It holds
texts only, never settings: one table per scenario id, with any of the text
fields of :class:`~webapp.scenarios.model.Scenario` and an array of
``[[<id>.variant]]`` tables, one per variant in the order of ``lecture.toml``::

    [zigzag_valley]
    title = "..."
    claim = "..."
    predict = "..."
    takeaway = "..."
    hints = ["...", "..."]              # one per English hint, same order
    run_names = ["..."]                 # only where lecture.toml names the runs

    [[local_minimum_trap.variant]]
    label = "..."
    note = "..."

:func:`localize` returns the scenario with the catalog's texts and the English
ones wherever the catalog has no entry (``tests/test_scenarios_ko.py`` forbids
such gaps). A catalog with an unknown id or field, or a list whose length does
not match the English one, is a ValueError naming the scenario and the field,
raised when the catalog is first read.
"""
from __future__ import annotations

import tomllib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from webapp.scenarios.reader import read

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "TEXT_FIELDS", "LIST_FIELDS", "VARIANT_FIELDS",
           "catalog_file", "load", "localize"]

DEFAULT_LANGUAGE = "en"                    # the language of lecture.toml itself
LANGUAGES = ("en", "ko")                   # every language the scenarios are written in
TEXT_FIELDS = ("title", "claim", "predict", "takeaway")
LIST_FIELDS = ("hints", "run_names")
VARIANT_FIELDS = ("label", "note", "run_names")


def catalog_file(lang: str) -> Path:
    """The catalog of ``lang``: ``lecture.<lang>.toml`` beside ``lecture.toml``."""
    return Path(__file__).with_name(f"lecture.{lang}.toml")


def _check_lang(lang) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    return lang


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return " ".join(value.split())           # TOML line breaks read as single spaces, as in reader.py


def _texts(value, count: int, where: str) -> tuple:
    if not isinstance(value, list) or len(value) != count:
        raise ValueError(f"{where} must be a list of {count} strings (one per English entry)")
    return tuple(_text(item, f"{where}[{i}]") for i, item in enumerate(value))


def _unknown(table: dict, allowed, where: str) -> None:
    extra = sorted(set(table) - set(allowed))
    if extra:
        raise ValueError(f"{where}: unknown field(s) {', '.join(extra)}; known: {', '.join(sorted(allowed))}")


def _entry(table, scenario, where: str) -> dict:
    """The checked texts of one scenario: {field: text or tuple, 'variant': ({field: ...}, ...)}."""
    if not isinstance(table, dict):
        raise ValueError(f"{where} must be a table")
    _unknown(table, TEXT_FIELDS + LIST_FIELDS + ("variant",), where)
    entry = {name: _text(table[name], f"{where}: {name}") for name in TEXT_FIELDS if name in table}
    for name in LIST_FIELDS:
        if name in table:
            entry[name] = _texts(table[name], len(getattr(scenario, name)), f"{where}: {name}")
    if "variant" in table:
        tables = table["variant"]
        if not isinstance(tables, list) or len(tables) != len(scenario.variants):
            raise ValueError(f"{where}: variant must be {len(scenario.variants)} table(s), one per variant")
        variants = []
        for i, (vt, variant) in enumerate(zip(tables, scenario.variants)):
            vwhere = f"{where}, variant {i + 1}"
            if not isinstance(vt, dict):
                raise ValueError(f"{vwhere} must be a table")
            _unknown(vt, VARIANT_FIELDS, vwhere)
            ventry = {name: _text(vt[name], f"{vwhere}: {name}") for name in ("label", "note") if name in vt}
            if "run_names" in vt:
                ventry["run_names"] = _texts(vt["run_names"], len(variant.run_names), f"{vwhere}: run_names")
            variants.append(ventry)
        entry["variant"] = tuple(variants)
    return entry


def read_catalog(path: Path, scenarios) -> dict:
    """{scenario id: entry} of a catalog file, checked against ``scenarios``; ValueError on bad data."""
    by_id = {s.id: s for s in scenarios}
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    unknown = sorted(set(data) - set(by_id))
    if unknown:
        raise ValueError(f"{path.name}: unknown scenario id(s) {', '.join(unknown)}; known: {', '.join(by_id)}")
    return {sid: _entry(table, by_id[sid], f"{path.name}: scenario {sid}") for sid, table in data.items()}


@lru_cache(maxsize=None)
def load(lang: str) -> dict:
    """The checked catalog of ``lang`` ({} for English); read once per process."""
    if _check_lang(lang) == DEFAULT_LANGUAGE:
        return {}
    return read_catalog(catalog_file(lang), read())     # the English scenarios, read here: no package cycle


def localize(scenario, lang: str = DEFAULT_LANGUAGE):
    """``scenario`` with its texts in ``lang``; English wherever the catalog has no entry.

    Only texts change (title, claim, predict, takeaway, hints, run_names and the
    variants' label, note and run_names); queries, knobs and every setting stay.
    """
    entry = load(lang).get(scenario.id)
    if not entry:
        return scenario
    variants = tuple(replace(variant, **ventry) for variant, ventry
                     in zip(scenario.variants, entry.get("variant", ({},) * len(scenario.variants))))
    return replace(scenario, **{k: v for k, v in entry.items() if k != "variant"}, variants=variants)
