"""The page's message catalogs (webapp/i18n/messages.<lang>.toml) and the language of a page.

Every English message has a text in every other language and no catalog has a key English does
not; placeholders match; every number a translation quotes equals the English one; Korean texts
are Hangul. The language travels in the state, the store and the share link, and a page's layout
and ``<html lang>`` follow the link (or the browser's preference).
"""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from webapp import i18n
from webapp.i18n import Message, catalog, msg, negotiate, placeholders, t
from webapp.state import from_query, from_store, to_query, to_store
from webapp.state.url import language_in

EN = catalog("en")
OTHERS = [lang for lang in i18n.LANGUAGES if lang != "en"]
# numbers as a reader sees them (not names such as beta2, L2, x1, nor 1차/2차 = first/second order)
NUMBER = re.compile(r"(?<![A-Za-z_\d.])\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![A-Za-z\d])")
KO_TERMS = re.compile(r"[12]차(?!원)")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
NOT_TRANSLATED = {"page.title"}          # the product's name


def numbers(text: str) -> Counter:
    text = re.sub(r"\{[A-Za-z_]\w*\}", " ", text)                 # placeholders are not numbers
    return Counter(NUMBER.findall(KO_TERMS.sub(" ", text)))


@pytest.mark.parametrize("lang", OTHERS)
def test_every_english_message_has_a_translation_and_no_stray_keys(lang):
    other = catalog(lang)
    assert sorted(set(EN) - set(other)) == [], f"{lang} lacks these messages"
    assert sorted(set(other) - set(EN)) == [], f"{lang} has messages English does not"


@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize("key", sorted(EN))
def test_placeholders_and_numbers_match_english(lang, key):
    text = catalog(lang)[key]
    assert placeholders(text) == placeholders(EN[key])
    assert numbers(text) == numbers(EN[key]), f"{key}: {text!r} quotes other numbers than {EN[key]!r}"


@pytest.mark.parametrize("key", sorted(set(EN) - NOT_TRANSLATED))
def test_korean_messages_are_korean(key):
    text = catalog("ko")[key]
    if not re.search(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", EN[key])):
        return                                         # symbols only (▶, ×, x): nothing to translate
    assert HANGUL.search(text), f"{key} is not translated: {text!r}"


def test_t_fills_placeholders_falls_back_to_english_and_refuses_unknown_keys():
    assert t("coerce.language_unknown", "ko", value="'xx'", known="en, ko").startswith("언어 'xx'")
    assert t("coerce.language_unknown", "fr", value="'xx'", known="en, ko").startswith("Language 'xx'")
    with pytest.raises(KeyError):
        t("no.such.message", "en")
    with pytest.raises(KeyError):
        t("coerce.language_unknown", "en", value="x")          # a placeholder without its value


def test_a_message_is_english_text_that_renders_in_any_language():
    note = msg("coerce.language_unknown", value="'xx'", known="en, ko")
    assert isinstance(note, str) and note == t("coerce.language_unknown", "en", value="'xx'", known="en, ko")
    assert i18n.localize(note, "ko") == t("coerce.language_unknown", "ko", value="'xx'", known="en, ko")
    assert i18n.localize("plain text", "ko") == "plain text"
    assert isinstance(note[:10], str) and not isinstance(note[:10], Message)


def test_placeholders_must_be_plain_names():
    for bad in ("{0}", "{a.b}", "{a[0]}", "{a!r}", "{}"):
        with pytest.raises(ValueError):
            placeholders(bad)
    assert placeholders("{a} and {b:g}") == {"a", "b"}


@pytest.mark.parametrize("header, lang", [
    ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko"), ("en-US,en;q=0.9,ko;q=0.8", "en"),
    ("fr-FR,fr;q=0.9,ko;q=0.5", "ko"), ("fr", "en"), ("", "en"), (None, "en"), ("*", "en"),
    ("ko;q=0", "en"), ("en;q=0.5, ko;q=0.6", "ko"), ("ko;q=abc", "en"), ("x" * 5000, "en"),
])
def test_the_browser_preference_picks_a_known_language(header, lang):
    assert negotiate(header) == lang


def test_the_language_travels_in_the_link_and_the_store():
    state, notices = from_query("?surface=rosenbrock&lang=ko")
    assert state.lang == "ko" and notices == []
    assert "lang=ko" in to_query(state)
    assert from_query(to_query(state))[0].lang == "ko"
    assert from_store(to_store(state))[0].lang == "ko"
    assert "lang" not in to_query(from_query("?surface=rosenbrock")[0])          # English: the default
    assert language_in("?a=1&lang=ko") == "ko" and language_in("?a=1") is None


def test_a_bare_scenario_link_keeps_its_language():
    state, _ = from_query("?scenario=zigzag_valley&lang=ko")
    assert state.scenario == "zigzag_valley" and state.lang == "ko" and state.runs


@pytest.mark.parametrize("given", ["fr", "<script>", "", "k" * 500])
def test_an_unknown_language_is_english_with_a_notice(given):
    state, notices = from_query(f"?lang={given}")
    assert state.lang == "en"
    assert len(notices) == 1 and "Language" in notices[0] and len(notices[0]) < 200
    stored, notices = from_store({**to_store(state), "lang": given})
    assert stored.lang == "en" and notices


@pytest.fixture(scope="module")
def client():
    import app
    return app.server.test_client()


def _layout_text(response) -> str:
    return json.dumps(json.loads(response.get_data(as_text=True)), ensure_ascii=False)


@pytest.mark.parametrize("headers, lang", [
    ({"Referer": "http://127.0.0.1/?surface=beale&lang=ko"}, "ko"),
    ({"Accept-Language": "ko-KR,ko;q=0.9"}, "ko"),
    ({"Referer": "http://127.0.0.1/?lang=en", "Accept-Language": "ko"}, "en"),          # the link wins
    ({}, "en"),
])
def test_the_layout_is_built_in_the_page_language(client, headers, lang):
    text = _layout_text(client.get("/_dash-layout", headers=headers))
    assert f'"page-lang", "data": "{lang}"' in text or f'"data": "{lang}", "id": "page-lang"' in text
    assert (t("header.scenarios_placeholder", "ko") in text) == (lang == "ko")
    assert t("header.tagline", lang) in text


@pytest.mark.parametrize("query, headers, lang", [
    ("?lang=ko", {}, "ko"), ("", {"Accept-Language": "ko"}, "ko"), ("", {}, "en"), ("?lang=zz", {}, "en"),
])
def test_the_html_element_says_the_language(client, query, headers, lang):
    page = client.get("/" + query, headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page


# ------------------------------------------------------------------ the engine's own texts
def engine_texts() -> list:
    """Every English text the page shows from the engine: surface labels and notes, schedule labels, and each
    parameter's title and help (of every registered surface, optimizer and schedule)."""
    import landscapes
    import optimizers
    from optimizers import schedules

    texts = []
    for name in landscapes.names():
        surface = landscapes.get(name)
        texts += [surface.label, surface.note]
    texts += [schedules.schedule_class(name).label or name for name in schedules.names()]
    schemas = ([landscapes.schema(n) for n in landscapes.names()] + [optimizers.schema(n) for n in optimizers.names()]
               + [schedules.schema(n) for n in schedules.names()])
    for schema in schemas:
        for param in schema:
            texts += [param.help]
            if not re.fullmatch(r"[A-Za-z0-9_]+", param.title):     # a name (lr, beta1) is not translated
                texts.append(param.title)
    return sorted({" ".join(text.split()) for text in texts if text and re.search(r"[a-z]{3,}", text)})


@pytest.mark.parametrize("lang", OTHERS)
def test_every_engine_text_is_translated_with_its_numbers(lang):
    translated = i18n.engine_catalog(lang)
    missing = [text for text in engine_texts() if text not in translated]
    assert missing == [], f"engine.{lang}.toml lacks these"
    for english, text in translated.items():
        assert numbers(text) == numbers(english), f"{text!r} quotes other numbers than {english!r}"
        assert HANGUL.search(text), f"not translated: {text!r}"
    stale = sorted(set(translated) - set(engine_texts()))
    assert stale == [], f"engine.{lang}.toml translates texts the engine no longer has"


def test_engine_text_leaves_english_and_unknown_texts_alone():
    assert i18n.engine_text("learning rate: the step size", "en") == "learning rate: the step size"
    assert i18n.engine_text("learning rate: the step size", "ko").startswith("학습률")
    assert i18n.engine_text("no such text", "ko") == "no such text"
    assert i18n.engine_text(None, "ko") is None


# ------------------------------------------------------------------ the caption and the results table
@pytest.mark.parametrize("touched, settled, diverged", [(-1, -1, 7), (5, 5, -1), (5, 40, -1), (5, -1, -1),
                                                        (-1, -1, -1)])
def test_the_english_status_is_the_engines_and_korean_says_the_same_steps(touched, settled, diverged):
    from optimizers.convergence import describe
    from webapp.figures.results import RunOutcome, status_text

    facts = RunOutcome(touched, settled, diverged, describe(touched, settled, diverged), None, 0.0)
    english = status_text(facts, 300, "en")
    assert english == (facts.status if facts.status != "not converged" else "not converged in 300 steps")
    korean = status_text(facts, 300, "ko")
    assert HANGUL.search(korean) and numbers(korean) == numbers(english)


def test_a_korean_scenario_page_keeps_its_picture_and_shows_korean_texts():
    from webapp import scenarios
    from webapp.panels.scenario.caption import caption
    from webapp.panels.scenario.picture import picture_of

    state, _ = from_query("?scenario=local_minimum_trap&lang=ko")
    query = to_query(state)
    assert query.endswith("&lang=ko") and picture_of(state.scenario, query).kind == "main"
    text = json.dumps([c.to_plotly_json() for c in caption(state.scenario, query, "ko")], default=str,
                      ensure_ascii=False)
    korean = scenarios.get("local_minimum_trap", "ko")
    assert korean.title in text and korean.predict in text and t("caption.reveal", "ko") in text
    assert scenarios.get("local_minimum_trap").title not in text


# ------------------------------------------------------------------ notices: made in English, shown in the page's language
def test_a_link_s_notices_are_messages_that_render_in_korean():
    state, notices = from_query("?lang=ko&steps=99999&start=a,b&run=adam:lr=-1,foo=2&run=nosuch&wat=1")
    assert state.lang == "ko" and len(notices) >= 5
    assert all(isinstance(notice, Message) for notice in notices)
    for notice in notices:
        korean = i18n.localize(notice, "ko")
        assert HANGUL.search(korean), korean
        assert numbers(korean) == numbers(notice), (notice, korean)


def test_the_answer_shows_a_korean_link_s_notices_in_korean(client):
    from web_answer import post, response_of

    out = response_of(post(client, "url", prop="search", value="?lang=ko&steps=99999&wat=1",
                           extra={"page-lang.data": "ko"}))
    page = json.dumps(out["notices"]["children"], ensure_ascii=False)
    assert "알 수 없는 URL 설정 'wat'" in page and "Unknown URL setting" not in page
    assert "스텝 수 99999을(를) 5000(으)로 바꿨습니다" in page
    runs = json.dumps(out["runs-panel"]["children"], ensure_ascii=False)
    assert t("runs.schedule_noise_seed", "ko") in runs and "Schedule, noise, seed" not in runs


def test_without_lang_in_the_link_the_page_keeps_the_language_its_layout_was_built_in(client):
    from web_answer import post, response_of

    out = response_of(post(client, "url", prop="search", value="?surface=beale", extra={"page-lang.data": "ko"}))
    assert out["share-query"]["data"].endswith("&lang=ko")
    assert t("results.run", "ko") in json.dumps(out["results-table"]["children"], ensure_ascii=False)


# ------------------------------------------------------------------ the exported page
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_exported_page_says_its_language_and_speaks_it(lang):
    from webapp import export

    page = export.standalone_html({"data": [], "layout": {}}, {"data": [], "layout": {}}, {"runs": []},
                                  "optiscape", lang)
    assert page.startswith("<!DOCTYPE html>\n") and f'<html lang="{lang}">' in page
    assert t("player.play", lang) in page and t("player.speed", lang) in page
    assert 'data-template="' + t("player.step_readout", lang, step="{step}", steps="{steps}") in page


def test_the_figures_speak_the_page_s_language():
    import landscapes
    from webapp.figures import markers, stage

    surface = landscapes.get("local_minima")
    english = markers.marker_key(surface, "en")
    assert [label for _, label in english] == [markers.MARKERS[k][3] for k in markers.KIND_ORDER
                                               if k in {p.kind for p in surface.critical_points}]
    korean = stage.map_figure(surface, surface.view, grid_size=20, lang="ko")
    key = next(a for a in korean["layout"]["annotations"] if a.get("name") == "marker key")
    assert t("markers.global", "ko") in key["text"] and "global" not in key["text"]
    assert any(t("markers.kind_local", "ko") in text for trace in korean["data"] for text in trace.get("text", [])
               if isinstance(text, str))


# ------------------------------------------------------------------ formula mistakes
BAD_FORMULAS = ["x + z", "sin(x", "2x", "", ")", "x +", "x $ y", "x ÷ 2", "1.2.3", "sin x", "x(2)", "foo(x)",
                "X + y", "xy", "sin()", "()", "sin(x, y)", "(x, y)", "(x ]", "(" * 60 + "x" + ")" * 60, "x" * 600,
                "x * )", "x y"]


@pytest.mark.parametrize("text", BAD_FORMULAS)
def test_every_formula_mistake_is_said_in_english_as_the_engine_says_it_and_in_korean(text):
    from landscapes.formula import FormulaError, parse
    from webapp.panels.surface.formula import error_message

    with pytest.raises(FormulaError) as caught:
        parse(text)
    error = caught.value
    assert error.code, f"{str(error)!r} has no code"
    assert error_message(error, "en") == str(error)
    korean = error_message(error, "ko")
    assert HANGUL.search(korean) and str(error.position + 1) in korean
