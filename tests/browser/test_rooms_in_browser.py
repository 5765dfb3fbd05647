"""Rooms in real Chromium, with several browser sessions on one server: the teacher's page and students'.

The server is the real app (``create_app``) on its own SQLite file; every session is a separate
headless Chromium (its own cookies and sessionStorage), acting as a user: clicking, typing.
"""
from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from app_helpers import element_id, severe_errors, start, type_into, until
from conftest import pytest_setup_options
from webapp.rooms import RoomSettings, open_store


@pytest.fixture
def rooms_app(tmp_path):
    from app import create_app

    settings = RoomSettings(data_dir=str(tmp_path))
    return create_app(rooms_settings=settings, rooms_store=open_store(settings))


@pytest.fixture
def students():
    """A factory of extra browser sessions (each its own Chromium); all quit at the end."""
    drivers = []

    def make():
        driver = webdriver.Chrome(options=pytest_setup_options())
        driver.set_page_load_timeout(60)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.quit()


def run_js(driver, script, *args):
    return driver.execute_script(script, *args)


def page_ready(driver):
    until(lambda: run_js(driver, "return document.querySelectorAll('#map-graph .contourlayer path').length") > 0,
          timeout=30, message="no contour on the map")
    until(lambda: run_js(driver, "var p = window.optiscapePlayer; return p && p.stats().steps"), timeout=30,
          message="the player got no data")


def room_stats(driver):
    return run_js(driver, "return window.optiscapeRoom ? window.optiscapeRoom.stats() : null;") or {}


def lr_box(driver, run=0):
    selector = element_id(name="lr", run=run, type="hyper")
    return driver.find_element(By.CSS_SELECTOR, f"input{selector}, {selector} input")


def lr_value(driver, run=0):
    """The lr box's value, read in the page (the box is re-rendered when the runs change)."""
    selector = element_id(name="lr", run=run, type="hyper")
    return run_js(driver, "var e = document.querySelector(arguments[0]); return e ? e.value : null;",
                  f"input{selector}, {selector} input")


def open_room(dash_duo, rooms_app, query="?steps=120"):
    """The teacher opens the app and a room; returns the student link."""
    start(dash_duo, rooms_app)
    dash_duo.driver.get(dash_duo.server_url + "/" + query)
    page_ready(dash_duo.driver)
    dash_duo.find_element("#room-open").click()
    link = until(lambda: dash_duo.find_element("#room-link").get_attribute("value"), timeout=10,
                 message="no room link after Open a room")
    assert "/room/" in link
    return link


def join(make, link):
    driver = make()
    driver.get(link)
    page_ready(driver)
    until(lambda: room_stats(driver).get("version"), timeout=10, message="the student did not join")
    return driver


def test_a_student_follows_the_teachers_lr_branches_off_and_rejoins(dash_duo, rooms_app, students):
    link = open_room(dash_duo, rooms_app)
    teacher = dash_duo.driver
    token = run_js(teacher, "return JSON.parse(sessionStorage.getItem('optiscape.room')).token")
    assert token and token not in link                                   # the secret never goes in the link
    teacher.refresh()                                                    # a reload of the tab keeps the room
    page_ready(teacher)
    until(lambda: teacher.find_element(By.ID, "room-link").get_attribute("value") == link, timeout=10,
          message="the teacher's room was lost on reload")
    student = join(students, link)
    assert not student.find_element(By.ID, "room-open").is_displayed()  # students cannot open rooms from here
    assert "following the teacher" in student.find_element(By.ID, "room-student-summary").text
    until(lambda: "1 student following" in teacher.find_element(By.ID, "room-followers").text, timeout=10,
          message="the teacher does not see the follower")

    type_into(lr_box(teacher), "0.02")                                  # the teacher changes run 1's lr
    until(lambda: lr_value(student) == "0.02", timeout=10,
          message="the student's page did not follow the teacher's lr")
    until(lambda: "run=sgd:lr=0.02" in student.current_url)
    assert "/room/" in student.current_url

    # the teacher pauses at a step: the student's player shows that step, paused
    run_js(teacher, "window.optiscapePlayer.act('pause'); window.optiscapePlayer.seek(37);")
    until(lambda: run_js(student, "var s = window.optiscapePlayer.stats(); return !s.playing && s.step === 37"),
          timeout=10, message="the student's player did not follow the teacher's pause at step 37")
    teacher.find_element(By.ID, "play-button").click()
    until(lambda: run_js(student, "return window.optiscapePlayer.stats().playing"), timeout=10,
          message="the student's player did not start with the teacher's")

    # the student branches off: the teacher's next change does not reach it; rejoin brings it back
    student.find_element(By.ID, "room-branch").click()
    until(lambda: "exploring on your own" in student.find_element(By.ID, "room-student-summary").text)
    type_into(lr_box(teacher), "0.03")
    until(lambda: room_stats(student).get("version", 0) >= room_stats(teacher).get("version", 0), timeout=10)
    assert lr_value(student) == "0.02"
    student.find_element(By.ID, "room-rejoin").click()
    until(lambda: lr_value(student) == "0.03", timeout=10, message="rejoin did not apply")

    # a student who changes something is exploring on its own too, and the room is unchanged
    type_into(lr_box(student), "0.05")
    until(lambda: "exploring on your own" in student.find_element(By.ID, "room-student-summary").text)
    assert lr_value(teacher) == "0.03"

    teacher.find_element(By.ID, "room-close").click()
    until(lambda: "closed" in teacher.find_element(By.ID, "room-message").text)
    until(lambda: "closed room" in student.find_element(By.ID, "room-student-summary").text, timeout=10)
    assert severe_errors(dash_duo) == []


def test_a_poll_answered_in_three_sessions_and_revealed(dash_duo, rooms_app, students):
    link = open_room(dash_duo, rooms_app, "?surface=quadratic_bowl&steps=150")
    teacher = dash_duo.driver
    pupils = [join(students, link) for _ in range(2)] + [join(students, link + "?lang=ko")]
    until(lambda: "surface=quadratic_bowl" in pupils[2].current_url, timeout=10)
    assert "lang=ko" in pupils[2].current_url       # a Korean page follows the room in its own language
    dash_duo.find_element("#room-poll-settles").click()
    for pupil in pupils:
        until(lambda: pupil.find_elements(By.CSS_SELECTOR, "#room-poll-choices button.room-choice"), timeout=10,
              message="a student sees no poll choices")
    assert "Which run settles first?" in pupils[0].find_element(By.ID, "room-poll-question").text
    picks = (0, 3, 3)
    for pupil, pick in zip(pupils, picks):
        pupil.find_elements(By.CSS_SELECTOR, "#room-poll-choices button.room-choice")[pick].click()
        until(lambda: "Your answer is in" in pupil.find_element(By.ID, "room-poll-status").text, timeout=10)
        assert not pupil.find_elements(By.CSS_SELECTOR, "#room-poll-choices button.room-choice")  # once only
    until(lambda: "3 answers" in teacher.find_element(By.ID, "room-poll-status").text, timeout=10,
          message="the teacher does not see three answers")
    assert not pupils[0].find_element(By.ID, "room-poll-graph").is_displayed()    # nothing shown before the reveal
    dash_duo.find_element("#room-reveal").click()
    for pupil in pupils:
        until(lambda: pupil.find_element(By.ID, "room-poll-graph").is_displayed(), timeout=10,
              message="a student does not see the revealed answers")
        until(lambda: "True outcome" in pupil.find_element(By.ID, "room-poll-outcome").text, timeout=10)
        bars = until(lambda: run_js(pupil, "var gd = document.querySelector('#room-poll-graph .js-plotly-plot');"
                                           "return gd && gd._fullData && gd._fullData[0] && gd._fullData[0].x;"))
        assert sorted(bars, reverse=True)[:2] == [2, 1] and sum(bars) == 3
    assert "revealed" in teacher.find_element(By.ID, "room-poll-status").text

    # a click poll: the student clicks the map where run 1 ends; the heat map counts it
    run_box = teacher.find_element(By.ID, "room-poll-run")
    type_into(run_box, "1")
    dash_duo.find_element("#room-poll-end").click()
    pupil = pupils[0]
    until(lambda: "Click on the map" in pupil.find_element(By.ID, "room-poll-status").text, timeout=10)
    before = pupil.current_url
    area = pupil.find_element(By.CSS_SELECTOR, "#map-graph .nsewdrag")
    ActionChains(pupil).move_to_element(area).click().perform()          # the middle of the plot area
    until(lambda: "Your answer is in" in pupil.find_element(By.ID, "room-poll-status").text, timeout=10,
          message=pupil.find_element(By.ID, "room-poll-status").text + " " + pupil.find_element(By.ID, "room-poll-question").text)
    assert pupil.current_url == before                                  # the click did not move the start point
    until(lambda: "1 answer" in teacher.find_element(By.ID, "room-poll-status").text, timeout=10)
    dash_duo.find_element("#room-reveal").click()
    until(lambda: run_js(pupil, "var gd = document.querySelector('#room-poll-graph .js-plotly-plot');"
                                "return gd && gd._fullData && gd._fullData[0].type === 'heatmap';"), timeout=10)
    until(lambda: "ends at" in pupil.find_element(By.ID, "room-poll-outcome").text, timeout=10)
