"""Handout links: URL flags that hide or lock controls, an embed mode, and the link's schema version.

Optional query keys (absent by default, so every other link reads unchanged)::

    hide=maps,export            these controls are not shown (and so cannot be used)
    lock=surface,run1           these are shown but cannot be changed
    only=run1.lr                everything is locked except these ("only the lr of run 1 is yours")
    embed=1                     only the map, the player and the caption (for an iframe)
    v=1                         the URL schema version the link was written in

A control is named after the schema:

* a group: ``surface``, ``start`` (start point), ``steps``, ``zoom`` (the map's view box),
  ``runs`` (every run card and "add run"), ``views`` (the View bar), ``maps``, ``tune``,
  ``export`` (share link, CSV, HTML, Copy as PyTorch), ``scenario`` (the scenario picker), or ``all``;
* one surface parameter: ``surface.<name>`` (a name in the surface's schema, e.g. ``surface.kappa``);
* one run: ``run<k>`` (1-based); its parts ``run<k>.optimizer``, ``run<k>.schedule``,
  ``run<k>.noise``, ``run<k>.seed``, ``run<k>.seeds`` (the seed cloud), and each hyperparameter
  ``run<k>.<name>`` (a name in that run's optimizer schema, e.g. ``run1.lr``).

A name locks (or hides) everything under it: ``run1`` covers ``run1.lr``; ``all`` covers
everything. What is hidden is locked too. Names are validated against the state's own schemas
(an unknown one is dropped with a notice) and written back in a canonical order.

**Schema version.** A link without ``v`` is version 1. :data:`SCHEMA_VERSION` is the version
this code writes; :data:`MIGRATIONS` maps a version to the function that rewrites a link's
``(key, value)`` pairs of that version into the next one, so a link written before a rename keeps
working: when a URL key or value is renamed, add a migration and bump the version. A link of a
newer version than this code is read as far as possible, with a notice.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import landscapes
import optimizers
from webapp.i18n import msg

__all__ = ["HANDOUT_KEYS", "GROUPS", "SCHEMA_VERSION", "MIGRATIONS", "migrate", "handout_settings", "parents",
           "is_locked", "is_hidden", "MAX_NAMES"]

HANDOUT_KEYS = ("hide", "lock", "only", "embed", "v")
GROUPS = ("all", "surface", "start", "steps", "zoom", "runs", "views", "maps", "tune", "export", "scenario")
RUN_PARTS = ("optimizer", "schedule", "noise", "seed", "seeds")
SCHEMA_VERSION = 1
MIGRATIONS: dict[int, Callable[[list], list]] = {}     # version -> rewrite of its (key, value) pairs
MAX_NAMES = 40
_RUN = re.compile(r"^run([1-9][0-9]?)(?:\.([a-z_][a-z0-9_]{0,39}))?$")


def migrate(pairs: list, notices: list) -> list:
    """The link's pairs rewritten from its ``v`` (1 when absent) to :data:`SCHEMA_VERSION`."""
    given = [value for key, value in pairs if key == "v"]
    version = 1
    if given:
        text = given[-1].strip()
        if text.isdigit() and 1 <= int(text) <= 10_000:
            version = int(text)
        else:
            notices.append(msg("notices.handout_version", value=text[:12]))
    if version > SCHEMA_VERSION:
        notices.append(msg("notices.handout_newer", version=version, current=SCHEMA_VERSION))
        return pairs
    while version < SCHEMA_VERSION:
        pairs = MIGRATIONS[version](pairs)
        version += 1
    return pairs


def _known(name: str, state) -> bool:
    """Whether ``name`` names a control of ``state`` (module docstring)."""
    if name in GROUPS:
        return True
    if name.startswith("surface."):
        return name[len("surface."):] in {p.name for p in landscapes.schema(state.surface)}
    match = _RUN.match(name)
    if not match:
        return False
    index = int(match.group(1)) - 1
    if index >= len(state.runs):
        return False
    part = match.group(2)
    return part is None or part in RUN_PARTS or part in {p.name for p in optimizers.schema(state.runs[index].optimizer)}


def _names(text: Any, key: str, state, notices: list) -> list[str]:
    if isinstance(text, (list, tuple)):
        text = ",".join(str(item) for item in text)
    if not isinstance(text, str):
        return []
    out = []
    for raw in text.split(","):
        name = raw.strip().lower()
        if not name or name in out:
            continue
        if len(out) >= MAX_NAMES:
            notices.append(msg("notices.handout_at_most", limit=MAX_NAMES, key=key))
            break
        if _known(name, state):
            out.append(name)
        else:
            notices.append(msg("notices.handout_unknown_control", key=key, name=name[:40],
                               examples=", ".join(GROUPS[1:6])))
    order = {name: i for i, name in enumerate(GROUPS)}
    return sorted(out, key=lambda n: (order.get(n, len(order)), n))


def handout_settings(given: Any, state, notices: list | None = None) -> dict:
    """The handout keys of ``given`` (a query dict or a stored dict) as canonical text, validated on ``state``.

    Keys with nothing valid are left out; ``v`` is kept only beside another handout key.
    """
    notices = [] if notices is None else notices
    if not isinstance(given, dict):
        return {}
    out = {}
    for key in ("hide", "lock", "only"):
        names = _names(given.get(key), key, state, notices)
        if names:
            out[key] = ",".join(names)
    embed = given.get("embed")
    if isinstance(embed, str) and embed.strip().lower() in ("1", "true", "on", "yes"):
        out["embed"] = "1"
    elif embed is not None and not (isinstance(embed, str) and embed.strip().lower() in ("", "0", "false", "off", "no")):
        notices.append(msg("notices.handout_embed"))
    if out:
        out["v"] = str(SCHEMA_VERSION)
    return out


def parents(name: str) -> list[str]:
    """``name`` and every name above it: ``run1.lr`` -> [run1.lr, run1, runs, all]."""
    chain = [name]
    if "." in name:
        head = name.split(".", 1)[0]
        chain.append(head)
        name = head
    if _RUN.match(name):
        chain.append("runs")
    if name != "all":
        chain.append("all")
    return chain


def _listed(settings: dict, key: str) -> set:
    text = settings.get(key, "") if isinstance(settings, dict) else ""
    return set(text.split(",")) if text else set()


def is_hidden(settings: dict, name: str) -> bool:
    return bool(_listed(settings, "hide") & set(parents(name)))


def is_locked(settings: dict, name: str) -> bool:
    """Whether the control ``name`` may not be changed under ``settings`` (hidden, locked or not in ``only``)."""
    chain = set(parents(name))
    if chain & (_listed(settings, "hide") | _listed(settings, "lock")):
        return True
    only = _listed(settings, "only")
    return bool(only) and not chain & only
