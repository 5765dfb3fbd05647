"""Handout links (webapp.state.handout): flags parsed against the schema, locks enforced by the one answer,
the schema version migrated, and frame-ancestors from the environment."""
from __future__ import annotations

import pytest

from web_answer import post, response_of
from webapp.panels.room.handout import control_of
from webapp.server import frame_ancestors
from webapp.state import from_query, from_store, handout, to_query, to_store


@pytest.fixture
def client():
    import app as app_module

    return app_module.app.server.test_client()


def test_flags_are_validated_on_the_schema_and_written_canonically():
    state, notices = from_query("?lock=run2.momentum,surface.kappa,Runs&hide=export,maps&only=run1.lr&embed=1")
    assert notices == []
    assert state.handout == {"hide": "maps,export", "lock": "runs,run2.momentum,surface.kappa", "only": "run1.lr",
                            "embed": "1", "v": "1"}
    query = to_query(state)
    assert query.endswith("&hide=maps,export&lock=runs,run2.momentum,surface.kappa&only=run1.lr&embed=1&v=1")
    again, notices = from_query(query)
    assert notices == [] and again.handout == state.handout and to_query(again) == query
    assert from_store(to_store(state))[0].handout == state.handout


@pytest.mark.parametrize("query, word", [
    ("?hide=run9", "run9"),                       # the default page has 4 runs
    ("?lock=run1.kappa", "run1.kappa"),           # kappa is a surface parameter, not SGD's
    ("?lock=surface.lr", "surface.lr"),
    ("?only=<script>", "<script>"),
    ("?embed=yes please", "embed"),
    ("?v=abc&hide=maps", "schema version"),
])
def test_a_flag_naming_nothing_is_dropped_with_a_notice(query, word):
    state, notices = from_query(query)
    assert any(word in notice for notice in notices), notices
    assert "<script>" not in to_query(state)


def test_no_flag_means_no_handout_and_an_unchanged_link():
    state, notices = from_query("?surface=saddle")
    assert state.handout == {} and notices == [] and "v=" not in to_query(state)


def test_what_a_name_covers():
    flags = {"only": "run1.lr"}
    assert not handout.is_locked(flags, "run1.lr")
    assert handout.is_locked(flags, "run1.momentum") and handout.is_locked(flags, "run2.lr")
    assert handout.is_locked(flags, "surface") and handout.is_locked(flags, "runs")
    flags = {"lock": "run1", "hide": "maps"}
    assert handout.is_locked(flags, "run1.lr") and handout.is_locked(flags, "run1.optimizer")
    assert not handout.is_locked(flags, "run2.lr") and not handout.is_locked(flags, "surface.kappa")
    assert handout.is_locked(flags, "maps") and handout.is_hidden(flags, "maps") and not handout.is_hidden(flags, "run1")
    assert handout.is_locked({"lock": "all"}, "surface.kappa")


def test_every_edit_of_the_page_has_a_control_name():
    from webapp.panels import answer

    for edit in answer.EDITS:
        component = {"type": edit.component["type"], "run": 0, "name": "lr"} if isinstance(edit.component, dict) \
            else edit.component
        name = control_of(edit.key, component)
        assert name != "all", f"edit {edit.key} is not named in webapp/panels/room/handout.py"
        assert name is None or handout.parents(name)[-1] == "all"


def test_an_older_link_is_migrated(monkeypatch):
    """A rename (here: a made-up key 'iterations' that became 'steps' in v2) keeps the old links working."""
    monkeypatch.setattr(handout, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(handout.MIGRATIONS, 1, lambda pairs: [("steps" if k == "iterations" else k, v)
                                                              for k, v in pairs])
    state, notices = from_query("?iterations=77")            # no v: version 1
    assert notices == [] and state.steps == 77
    state, notices = from_query("?steps=55&v=2")             # already v2: not rewritten
    assert notices == [] and state.steps == 55


def test_a_newer_link_is_read_with_a_notice():
    state, notices = from_query("?steps=80&v=9")
    assert state.steps == 80 and any("newer" in notice for notice in notices)


def test_the_answer_refuses_an_edit_of_a_locked_control_and_takes_a_free_one(client):
    stored = to_store(from_query("?only=run1.lr")[0])
    refused = response_of(post(client, {"type": "hyper", "run": 1, "name": "lr"}, value=0.5, stored=stored,
                               rendered={"revision": 0}))
    assert refused["state"]["data"]["runs"][1]["hyper"]["lr"] == stored["runs"][1]["hyper"]["lr"]
    assert "keeps 'run2.lr' fixed" in str(refused["notices"]["children"])
    taken = response_of(post(client, {"type": "hyper", "run": 0, "name": "lr"}, value=0.02, stored=stored,
                             rendered={"revision": 0}))
    assert taken["state"]["data"]["runs"][0]["hyper"]["lr"] == 0.02
    surface = response_of(post(client, "surface-picker", value="saddle", stored=stored, rendered={"revision": 0}))
    assert surface["state"]["data"]["surface"] == stored["surface"]


def test_frame_ancestors_from_the_environment(client):
    assert frame_ancestors({}) == "'self'"
    assert frame_ancestors({"OPTISCAPE_FRAME_ANCESTORS": " 'self'  https://*.example.edu "}) == \
        "'self' https://*.example.edu"
    for bad in ("https://a.edu; script-src *", "javascript:alert(1)", "'unsafe-inline'", "*"):
        with pytest.raises(ValueError, match="OPTISCAPE_FRAME_ANCESTORS"):
            frame_ancestors({"OPTISCAPE_FRAME_ANCESTORS": bad})
    response = client.get("/?embed=1")
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_an_allowed_course_site_may_frame_the_page(monkeypatch, tmp_path):
    from app import create_app
    from webapp.rooms import RoomSettings, open_store

    monkeypatch.setenv("OPTISCAPE_FRAME_ANCESTORS", "'self' https://course.example.edu")
    settings = RoomSettings(data_dir=str(tmp_path))
    framed = create_app(rooms_settings=settings, rooms_store=open_store(settings)).server.test_client()
    response = framed.get("/?embed=1")
    assert "frame-ancestors 'self' https://course.example.edu" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers        # it would forbid the course site's frame
