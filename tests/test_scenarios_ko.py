"""The Korean (한국어) texts of the lecture scenarios: webapp/scenarios/lecture.ko.toml.

Every English text has a Korean one, each Korean text quotes exactly the numbers of its
English text (the same multiset, found with the regex of ``tests/test_scenarios.py``), the
catalog has no unknown ids or fields, and each text is Korean (Hangul, not English copied).
The answers the Korean captions add to the lecture notes' questions are checked on the engine.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter

import numpy as np
import pytest

import landscapes
import optimizers
from webapp import scenarios
from webapp.scenarios import catalog

KO = catalog.load("ko")
RAW = tomllib.loads(catalog.catalog_file("ko").read_text(encoding="utf-8"))

# The regex of test_every_number_in_a_caption_is_checked: numbers, not names such as beta2 or L2.
NUMBER = re.compile(r"(?<![A-Za-z_\d])\d[\d.e-]*")
# Korean terms that hold a digit but quote no number: 1차/2차 (first/second order).
KO_TERMS = re.compile(r"[12]차")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
ENGLISH_RUN = re.compile(r"(?:\b[a-z]{2,}\b[\s,]+){3}\b[a-z]{2,}\b")    # 4 lowercase English words in a row
LECTURE_TERMS = ("학습률", "모멘텀", "안장점", "국소 최솟값", "조건수", "편향 보정", "1차", "2차", "근사",
                 "헤시안", "학습률 감쇠", "가중치 감쇠")


def numbers(text: str) -> Counter:
    """The numbers a text quotes, as tests/test_scenarios.py finds them (a sentence's full stop dropped)."""
    return Counter(match.rstrip(".") for match in NUMBER.findall(KO_TERMS.sub(" ", text)))


def pairs(scenario):
    """(where, English text, Korean text) for every text of a scenario; Korean from the catalog (None if missing)."""
    korean = scenarios.get(scenario.id, "ko")
    entry = KO.get(scenario.id, {})
    for name in catalog.TEXT_FIELDS:
        yield name, getattr(scenario, name), entry.get(name)
    for name in catalog.LIST_FIELDS:
        for i, text in enumerate(getattr(scenario, name)):
            yield f"{name}[{i}]", text, entry[name][i] if name in entry else None
    ventries = entry.get("variant", ({},) * len(scenario.variants))
    for i, (variant, ventry) in enumerate(zip(scenario.variants, ventries)):
        for name in ("label", "note"):
            if getattr(variant, name):
                yield f"variant {i + 1} {name}", getattr(variant, name), ventry.get(name)
        for j, text in enumerate(variant.run_names):
            yield f"variant {i + 1} run_names[{j}]", text, ventry["run_names"][j] if "run_names" in ventry else None
    assert korean.queries() == scenario.queries() and korean.knobs == scenario.knobs


ALL_PAIRS = [(s.id, where, en, ko) for s in scenarios.SCENARIOS for where, en, ko in pairs(s)]
IDS = [f"{sid}:{where}" for sid, where, _, _ in ALL_PAIRS]


def test_every_english_text_has_a_korean_one():
    missing = [f"{sid}: {where}" for sid, where, _, ko in ALL_PAIRS if ko is None]
    assert not missing, f"English texts with no Korean text (the page would fall back to English): {missing}"
    assert set(KO) == set(scenarios.ids())


@pytest.mark.parametrize("sid, where, english, korean", ALL_PAIRS, ids=IDS)
def test_korean_quotes_the_english_numbers(sid, where, english, korean):
    assert numbers(korean) == numbers(english), (
        f"{sid} {where}: numbers {sorted(numbers(korean).elements())} in Korean, "
        f"{sorted(numbers(english).elements())} in English")


@pytest.mark.parametrize("sid, where, english, korean", ALL_PAIRS, ids=IDS)
def test_korean_text_is_korean(sid, where, english, korean):
    assert korean.strip() and korean != english
    tokens = korean.split()
    hangul = sum(bool(HANGUL.search(token)) for token in tokens)
    assert hangul >= 0.4 * len(tokens), f"{sid} {where}: only {hangul} of {len(tokens)} words are Hangul"
    copied = ENGLISH_RUN.search(korean)
    assert not copied, f"{sid} {where}: English left in the Korean text: {copied.group(0)!r}"


def test_number_parser_sees_what_the_english_test_sees():
    """The parser is strict where it must be: Hangul around a number does not hide it."""
    assert numbers("lr = 0.05를 쓰고 300 스텝.") == Counter({"0.05": 1, "300": 1})
    assert numbers("1차 근사와 2차 근사, beta2, L2, CS231n") == Counter()
    assert numbers("4분의 1") == Counter({"4": 1, "1": 1})


def test_the_catalog_file_has_only_known_ids_and_fields():
    allowed = set(catalog.TEXT_FIELDS + catalog.LIST_FIELDS + ("variant",))
    for sid, table in RAW.items():
        scenario = scenarios.get(sid)                       # ValueError for an unknown id
        assert set(table) <= allowed, f"{sid}: unknown fields {set(table) - allowed}"
        assert all(set(v) <= set(catalog.VARIANT_FIELDS) for v in table.get("variant", []))
        assert len(table.get("variant", scenario.variants)) == len(scenario.variants)
        for name in catalog.LIST_FIELDS:
            if name in table:
                assert len(table[name]) == len(getattr(scenario, name)), f"{sid}: {name}"


@pytest.mark.parametrize("text, message", [
    ('[no_such_scenario]\ntitle = "가"\n', "unknown scenario id"),
    ('[zigzag_valley]\ntitel = "가"\n', "unknown field(s) titel"),
    ('[zigzag_valley]\nhints = ["가"]\n', "hints must be a list of 2 strings"),
    ('[zigzag_valley]\ntitle = "  "\n', "title must be a non-empty string"),
    ('[local_minimum_trap]\n[[local_minimum_trap.variant]]\nlabel = "가"\n[[local_minimum_trap.variant]]\n'
     'label = "나"\n', "variant must be 1 table(s)"),
    ('[local_minimum_trap]\n[[local_minimum_trap.variant]]\nquery = "?steps=1"\n', "unknown field(s) query"),
])
def test_a_bad_catalog_is_refused_naming_the_scenario_and_field(tmp_path, text, message):
    path = tmp_path / "lecture.xx.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        catalog.read_catalog(path, scenarios.SCENARIOS)


def test_english_where_the_catalog_has_no_entry(monkeypatch):
    scenario = scenarios.get("zigzag_valley")
    assert scenarios.get("zigzag_valley", "en") == scenario
    monkeypatch.setattr(catalog, "load", lambda lang: {"zigzag_valley": {"title": "제목"}})
    partial = scenarios.get("zigzag_valley", "ko")
    assert partial.title == "제목" and partial.claim == scenario.claim and partial.hints == scenario.hints
    assert scenarios.get("saddle_crawl", "ko") == scenarios.get("saddle_crawl", "en")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'; known: en, ko"):
        scenarios.get("zigzag_valley", "fr")


def test_korean_changes_texts_only():
    for scenario in scenarios.SCENARIOS:
        korean = scenarios.get(scenario.id, "ko")
        assert korean.title != scenario.title
        assert (korean.query, korean.knobs, korean.robustness, korean.polyak_from, korean.polyak_decay,
                korean.later, korean.number) == (scenario.query, scenario.knobs, scenario.robustness,
                                                 scenario.polyak_from, scenario.polyak_decay, scenario.later,
                                                 scenario.number)
        assert [v.query for v in korean.variants] == [v.query for v in scenario.variants]


def test_the_lecture_terms_are_used():
    text = catalog.catalog_file("ko").read_text(encoding="utf-8").split("\n[", 1)[1]     # not the header
    missing = [term for term in LECTURE_TERMS if term not in text]
    assert not missing, f"lecture terms never used in the Korean captions: {missing}"


# ------------------------------------------------ the notes' questions, answered in Korean
def test_the_notes_questions_are_answered_where_scenarios_touch_them():
    answers = {"momentum_effective_lr": ("x -=", "x += v"), "radford_beale": ("왜 Adam은 없지",),
               "l2_moves_minimum": ("가중치 감쇠", "weight_decay = lambda"),
               "adam_scale_invariance": ("Adam이 왜 잘될까요", "첫째", "둘째")}
    for sid, snippets in answers.items():
        korean = scenarios.get(sid, "ko")
        text = " ".join((korean.claim, korean.predict, korean.takeaway) + korean.hints)
        assert all(snippet in text for snippet in snippets), sid


@pytest.mark.parametrize("lr", [0.0016, 0.002, 0.0024])
@pytest.mark.parametrize("rho", [0.9, 0.99])
def test_momentum_sign_both_forms_give_one_path(lr, rho):
    """Scenario 18 (Korean): v <- rho v + grad, x -= lr v (the app, torch) and the slide's
    v <- rho v - lr grad, x += v give the same path at a constant learning rate."""
    surface = landscapes.get("ill_conditioned")
    start = np.array(surface.start, dtype=np.float64)
    path = optimizers.run(surface, optimizers.get("momentum", lr=lr, momentum=rho), start, 300)
    x, v = start.copy(), np.zeros(2)
    slide = [x.copy()]
    for _ in range(300):
        v = rho * v - lr * surface.grad(x)
        x = x + v
        slide.append(x.copy())
    np.testing.assert_allclose(path, np.array(slide), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["sgd", "momentum"])
@pytest.mark.parametrize("lam", [0.8, 1.0, 1.2])
def test_l2_in_the_loss_equals_weight_decay_for_sgd_and_momentum(name, lam):
    """Scenario 11 (Korean): adding (lambda/2)|w|^2 to the loss and the optimizer's
    weight_decay = lambda give the same steps for SGD and Momentum; Adam's coupled L2 and
    AdamW's decoupled decay differ."""
    plain, regularized = landscapes.get("rosenbrock"), landscapes.get("rosenbrock", l2=lam)
    start = (-1.5, 2.0)
    decayed = optimizers.run(plain, optimizers.get(name, lr=1e-3, weight_decay=lam), start, 500)
    in_loss = optimizers.run(regularized, optimizers.get(name, lr=1e-3), start, 500)
    np.testing.assert_allclose(decayed, in_loss, rtol=1e-9, atol=1e-12)
    adam = optimizers.run(regularized, optimizers.get("adam", lr=1e-2), start, 200)
    adamw = optimizers.run(plain, optimizers.get("adamw", lr=1e-2, weight_decay=lam), start, 200)
    assert np.abs(adam - adamw).max() > 1e-3
