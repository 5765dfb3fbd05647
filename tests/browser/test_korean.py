"""The page in Korean, in real headless Chromium: Hangul is drawn (glyphs, not boxes), the share link
reopens in Korean, the header's switch flips the language and keeps the state.
"""
from __future__ import annotations

import glob
import os

import pytest

from app_helpers import current_url, js, open_app, severe_errors, until
from webapp.i18n import t

pytestmark = pytest.mark.browser

# Draws each text in the font the element has, on a canvas, and returns the pixels' digest: two different
# Hangul syllables drawn from a font that has them differ; drawn as the missing-glyph box they are equal.
GLYPHS = """
var element = document.querySelector(arguments[0]);
var style = getComputedStyle(element);
var canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
var c = canvas.getContext('2d');
function digest(text) {
  c.clearRect(0, 0, 64, 64); c.fillStyle = '#000'; c.font = '40px ' + style.fontFamily; c.textBaseline = 'top';
  c.fillText(text, 4, 4);
  var data = c.getImageData(0, 0, 64, 64).data, sum = 0, ink = 0;
  for (var i = 3; i < data.length; i += 4) { sum = (sum * 31 + data[i]) % 1000000007; if (data[i]) { ink++; } }
  return {sum: sum, ink: ink, width: c.measureText(text).width};
}
return {han: digest('\\ud55c'), geul: digest('\\uae00'), missing: digest('\\ud7fd'), missing2: digest('\\ud7fe'),
        family: style.fontFamily};
"""


def tagline(dash_duo) -> str:
    return dash_duo.find_element(".tagline").text


def test_the_korean_page_draws_hangul_not_boxes(dash_duo):
    open_app(dash_duo, "?lang=ko")
    assert js(dash_duo, "return document.documentElement.lang") == "ko"
    until(lambda: tagline(dash_duo) == t("header.tagline", "ko"), message="the tagline is not Korean")
    glyphs = js(dash_duo, GLYPHS, ".tagline")
    assert "Noto Sans KR" in glyphs["family"]
    assert glyphs["missing"]["sum"] == glyphs["missing2"]["sum"], "two unassigned code points should draw alike"
    assert glyphs["han"]["ink"] > 0 and glyphs["geul"]["ink"] > 0
    assert glyphs["han"]["sum"] != glyphs["geul"]["sum"], "한 and 글 drew the same picture: a missing-glyph box"
    assert glyphs["han"]["sum"] != glyphs["missing"]["sum"]
    assert js(dash_duo, "return getComputedStyle(document.querySelector('.tagline')).wordBreak") == "keep-all"
    assert severe_errors(dash_duo) == []


def test_the_share_link_reopens_in_korean(dash_duo):
    open_app(dash_duo, "?surface=rosenbrock&lang=ko")
    link = until(lambda: dash_duo.find_element("#share-link").get_attribute("value"), message="no share link")
    assert "lang=ko" in link and "surface=rosenbrock" in link
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(link)
    until(lambda: js(dash_duo, "return document.documentElement.lang") == "ko", message="not Korean again")
    until(lambda: tagline(dash_duo) == t("header.tagline", "ko"), message="the tagline is not Korean")
    assert "surface=rosenbrock" in current_url(dash_duo)


def test_the_switch_flips_the_language_and_keeps_the_state(dash_duo):
    open_app(dash_duo, "?surface=rosenbrock&steps=123")
    assert js(dash_duo, "return document.documentElement.lang") == "en"
    assert tagline(dash_duo) == t("header.tagline", "en")
    korean = dash_duo.find_element("#lang-ko")
    until(lambda: "steps=123" in (korean.get_attribute("href") or ""), message="the switch does not follow the link")
    korean.click()
    until(lambda: js(dash_duo, "return document.documentElement.lang") == "ko", message="the page is not Korean")
    until(lambda: tagline(dash_duo) == t("header.tagline", "ko"), message="the tagline is not Korean")
    until(lambda: dash_duo.find_element("#steps-input").get_attribute("value") == "123", message="steps lost")
    assert "surface=rosenbrock" in current_url(dash_duo) and "lang=ko" in current_url(dash_duo)
    english = dash_duo.find_element("#lang-en")
    until(lambda: "lang=" not in (english.get_attribute("href") or "lang="), message="the English link keeps lang")
    english.click()
    until(lambda: js(dash_duo, "return document.documentElement.lang") == "en", message="not English again")
    until(lambda: tagline(dash_duo) == t("header.tagline", "en"), message="the tagline is not English")
    until(lambda: dash_duo.find_element("#steps-input").get_attribute("value") == "123", message="steps lost")


def test_the_korean_page_exports_a_korean_html_page_that_plays(dash_duo, tmp_path):
    open_app(dash_duo, "?steps=20&lang=ko")
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    dash_duo.find_element("#download-html-button").click()
    pages = until(lambda: glob.glob(os.path.join(tmp_path, "*.html")), timeout=20, message="no HTML page downloaded")
    text = until(lambda: (lambda t: t if t.rstrip().endswith("</html>") else "")(
        open(pages[0], encoding="utf-8").read()), message="the page did not finish downloading")
    assert '<html lang="ko">' in text
    assert t("player.play", "ko") in text
    # the exported page plays offline, from file://, and its read-out speaks Korean
    dash_duo.driver.get("file://" + pages[0])
    until(lambda: js(dash_duo, "return window.optiscapePlayer && window.optiscapePlayer.stats().steps") == 20,
          timeout=20, message="the exported page does not play")
    assert js(dash_duo, "return document.documentElement.lang") == "ko"
    until(lambda: dash_duo.find_element("#step-readout").text.startswith("스텝 "),
          message="the read-out is not Korean")
