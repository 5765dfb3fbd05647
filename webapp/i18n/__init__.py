"""The page's words in every language: message catalogs (``messages.<lang>.toml``) and :func:`t`.

A catalog is TOML, read with the standard library's ``tomllib``: one table per part of the
page (``[header]``, ``[runs]``, ``[coerce]``...), each key a message. A message may hold
placeholders ``{name}`` that :func:`t` fills from its keyword values (``str.format`` fields
by name only: no indexing, no attributes, no conversions)::

    t("start.notice_clamped", "ko", limit="1e+06")

English (``messages.en.toml``) is the reference: every key of it has a text in every other
catalog, with the same placeholders and the same numbers (``tests/test_i18n.py``). A key
missing in a language falls back to English; a key English does not have is a KeyError.

Code that makes a text before it knows the page's language (the coercion notices of
:mod:`webapp.state.coerce`) makes a :class:`Message`: a ``str`` holding its English text
that also remembers its key and values, so :func:`localize` can render it in the page's
language later. Values that are messages themselves are rendered in the same language.

The engine's own words (a parameter's title and help, a surface's label and note, a
schedule's label: English, in ``landscapes/`` and ``optimizers/``, which know no page) are
translated by :func:`engine_text` from ``engine.<lang>.toml``, keyed by the English text itself
(as gettext does): one entry serves every optimizer with the same help text.
``tests/test_i18n.py`` requires an entry for every text the registered surfaces, optimizers and
schedules show, so a new optimizer with a new help text fails until it is translated.

The language of a page: ``lang=`` in its link, else the browser's preference
(``Accept-Language``, :func:`negotiate`), else English.
"""
from __future__ import annotations

import re
import string
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "LANGUAGE_NAMES", "Message", "t", "msg", "localize", "catalog",
           "catalog_file", "placeholders", "negotiate", "language", "engine_text", "engine_catalog",
           "engine_catalog_file"]

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "ko")
LANGUAGE_NAMES = {"en": "EN", "ko": "한국어"}          # what the header's switch says, in each language's own words
_FORMATTER = string.Formatter()
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def catalog_file(lang: str) -> Path:
    """The catalog of ``lang``: ``messages.<lang>.toml`` in this package."""
    return Path(__file__).with_name(f"messages.{lang}.toml")


def _flatten(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, str):
            out[name] = value
        else:
            raise ValueError(f"message {name!r} must be a string, not {type(value).__name__}")
    return out


def placeholders(text: str) -> set:
    """The ``{name}`` fields of a message; a field that is not a plain name is a ValueError."""
    names = set()
    for _, field, spec, conversion in _FORMATTER.parse(text):
        if field is None:
            continue
        if not _FIELD.match(field) or conversion:
            raise ValueError(f"placeholder {{{field}}} in {text!r}: only {{name}} fields are allowed")
        names.add(field)
    return names


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict:
    """Every message of ``lang`` as ``{"part.key": text}`` (read once)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    messages = _flatten(tomllib.loads(catalog_file(lang).read_text(encoding="utf-8")))
    for text in messages.values():
        placeholders(text)
    return messages


def engine_catalog_file(lang: str) -> Path:
    """The translations of the engine's texts into ``lang``: ``engine.<lang>.toml`` (none for English)."""
    return Path(__file__).with_name(f"engine.{lang}.toml")


@lru_cache(maxsize=None)
def engine_catalog(lang: str) -> dict:
    """``{English text: text in lang}`` for the engine's texts (empty for English)."""
    if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
        return {}
    out = {}
    for group in tomllib.loads(engine_catalog_file(lang).read_text(encoding="utf-8")).values():  # tables: grouping only
        for english, text in group.items():
            if not isinstance(text, str):
                raise ValueError(f"the translation of {english!r} must be a string")
            out[" ".join(english.split())] = text
    return out


def engine_text(text: Any, lang: str) -> Any:
    """An engine's English ``text`` in ``lang`` (unchanged when English, not text, or not translated)."""
    if not isinstance(text, str) or lang == DEFAULT_LANGUAGE:
        return text
    return engine_catalog(language(lang)).get(" ".join(text.split()), text)


def language(value: Any) -> str:
    """``value`` if it names a known language, else the default (English)."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: Any) -> str:
    """The message ``key`` in ``lang`` (English where ``lang`` lacks it), its placeholders filled.

    A value that is a :class:`Message` is rendered in ``lang`` too. A missing value is a KeyError.
    """
    lang = language(lang)
    texts = catalog(lang)
    text = texts.get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE)[key]
    if not values:
        return text
    return text.format_map({name: localize(value, lang) for name, value in values.items()})


class Message(str):
    """A text made before the page's language is known: its English text, plus its key and values.

    It is a ``str`` (so it can be joined, cut and compared like any text); :func:`localize` renders it
    in another language.
    """

    key: str
    values: dict

    def __new__(cls, key: str, /, **values: Any):
        self = super().__new__(cls, t(key, DEFAULT_LANGUAGE, **values))
        self.key = key
        self.values = values
        return self

    def to(self, lang: str) -> str:
        return t(self.key, lang, **self.values)

    def __reduce__(self):
        return (_message, (self.key, self.values))


def _message(key: str, values: dict) -> Message:
    return Message(key, **values)


def msg(key: str, /, **values: Any) -> Message:
    """A :class:`Message` (for notices made before the language is known)."""
    return Message(key, **values)


def localize(value: Any, lang: str) -> Any:
    """A :class:`Message` rendered in ``lang``; anything else unchanged (plain text stays as it was)."""
    return value.to(lang) if isinstance(value, Message) else value


_RANGE = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?\s*$")


def negotiate(accept_language: Any) -> str:
    """The known language a browser prefers most, from an ``Accept-Language`` header (English if none).

    ``"ko-KR,ko;q=0.9,en-US;q=0.8"`` -> ``"ko"``; entries are ranked by their ``q`` weight (1 when
    absent), ties keep the header's order; ``*`` and unknown languages are skipped.
    """
    if not isinstance(accept_language, str):
        return DEFAULT_LANGUAGE
    ranked = []
    for position, entry in enumerate(accept_language[:400].split(",")[:20]):
        match = _RANGE.match(entry)
        if not match:
            continue
        try:
            weight = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        primary = match.group(1).lower()
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE
