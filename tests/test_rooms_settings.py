"""Rooms' configuration from the environment, and the pure parts: codes, tokens, poll results."""
from __future__ import annotations

import pytest

from webapp.rooms import identity, polls
from webapp.rooms.errors import RoomError
from webapp.rooms.settings import RoomSettings, settings_from_env


def test_the_environment_chooses_the_store_and_the_limits():
    settings = settings_from_env({"OPTISCAPE_REDIS_URL": " redis://127.0.0.1:1/2 ", "OPTISCAPE_DATA_DIR": "/x",
                                  "OPTISCAPE_ROOM_IDLE_SECONDS": "90", "OPTISCAPE_ROOM_MAX_WAITERS": "0"})
    assert (settings.redis_url, settings.data_dir, settings.idle_seconds, settings.max_waiters) == \
        ("redis://127.0.0.1:1/2", "/x", 90.0, 0)
    default = settings_from_env({})
    assert default.redis_url is None and default.data_dir == RoomSettings().data_dir
    assert default.idle_seconds == 7200.0


@pytest.mark.parametrize("name, value", [("OPTISCAPE_ROOM_IDLE_SECONDS", "soon"),
                                         ("OPTISCAPE_ROOM_IDLE_SECONDS", "0"),
                                         ("OPTISCAPE_ROOM_IDLE_SECONDS", "nan"),
                                         ("OPTISCAPE_ROOM_MAX_WAITERS", "-1"),
                                         ("OPTISCAPE_ROOM_MAX_WAITERS", "2.5")])
def test_a_bad_setting_is_a_value_error_naming_it(name, value):
    with pytest.raises(ValueError, match=name):
        settings_from_env({name: value})


def test_codes_avoid_look_alikes_and_tokens_are_checked_by_digest():
    codes = {identity.new_code() for _ in range(200)}
    assert all(len(code) == 4 and not set(code) & set("0O1IL") for code in codes)
    assert identity.normalize_code(" k7q2 ") == "K7Q2"
    assert identity.normalize_code("K0Q2") is None and identity.normalize_code("K7Q") is None
    token = identity.new_token()
    digest = identity.token_digest(token)
    assert identity.token_matches(token, digest) and not identity.token_matches(token[:-1] + "x", digest)
    assert not identity.token_matches(None, digest) and not identity.token_matches("", digest)
    client = identity.new_client_id()
    assert identity.valid_client_id(client) and not identity.valid_client_id(client + "!")
    assert identity.client_key(client, "K7Q2") != identity.client_key(client, "ABCD")


def test_click_histogram_bins_are_half_open_and_the_last_is_closed():
    poll = polls.new_poll({"kind": "run_end", "run": 1}, 1, 1, ["SGD"], (0.0, 1.0, 0.0, 2.0), 200)
    for index, point in enumerate(((0.0, 0.0), (0.5, 1.0), (0.4999, 0.9999), (1.0, 2.0))):
        poll["answers"][str(index)] = polls.read_answer(poll, {"x": point[0], "y": point[1]})
    counts = polls.results(poll, bins=2)["counts"]
    assert counts == [[2, 0], [0, 2]]
    with pytest.raises(RoomError, match="outside"):
        polls.read_answer(poll, {"x": 1.0000001, "y": 0.0})
