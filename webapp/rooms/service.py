"""The rooms themselves: create, follow, change, close; polls; rate limits. Written once, over any Store.

A room document::

    {"code": "K7Q2", "version": 7, "state": "?surface=saddle&run=...", "closed": false,
     "teacher_digest": sha256(token), "created": t, "updated": t,
     "player": {"playing": false, "step": 0, "speed": 1.0, "at": t},
     "polls": 2, "poll": {"id": 2, "kind": ..., "answers": {client_key: answer}, ...} | null}

``version`` goes up by one on every change a follower must see (state, player,
poll started or revealed, close); answers do not move it (the teacher reads the
live count). Every write renews the room's idle expiry. A closed room stays as
a tombstone (state and answers dropped) until it expires, so its followers are
told "closed" (410) rather than "no such room" (404).
"""
from __future__ import annotations

import hashlib
import math
import threading
import time

from webapp.rooms import identity, polls
from webapp.rooms.errors import RoomError
from webapp.rooms.feed import GONE, ChangeFeed
from webapp.rooms.settings import RateLimit, RoomSettings
from webapp.rooms.share_state import canonical_state, poll_subject
from webapp.rooms.store import Store

__all__ = ["Rooms", "PLAYER_COMMANDS", "SPEEDS"]

PLAYER_COMMANDS = ("play", "pause", "step")
SPEEDS = (0.25, 4.0)                 # the page's player speeds, slowest and fastest


def _address_key(address: str | None) -> str:
    return hashlib.sha256((address or "?").encode()).hexdigest()[:16]


class Rooms:
    """Room operations. ``token`` arguments are the presented teacher token (or ``None``)."""

    def __init__(self, store: Store, settings: RoomSettings):
        self.store = store
        self.settings = settings
        self.feed = ChangeFeed(store.versions, settings.feed_interval, settings.max_waiters)
        self._touched: dict[tuple, float] = {}        # (code, client) -> last follower write, this process
        self._follower_counts: dict[str, tuple] = {}  # code -> (time, count), this process
        self._lock = threading.Lock()
        self._recent: dict[str, dict] = {}            # code -> the newest document this process loaded

    # ------------------------------------------------------------------ reading
    def _code(self, text: str) -> str:
        code = identity.normalize_code(text)
        if code is None:
            raise RoomError(404, f"'{str(text)[:12]}' is not a room code (4 letters or digits, e.g. K7Q2)")
        return code

    def _missing(self, code: str) -> RoomError:
        minutes = self.settings.idle_seconds / 60
        return RoomError(404, f"no room {code}: the code is wrong, or the room expired after "
                              f"{minutes:g} minutes without activity")

    def _live(self, code: str, doc: dict | None) -> dict:
        if doc is None:
            raise self._missing(code)
        if doc["closed"]:
            raise RoomError(410, f"room {code} was closed by the teacher")
        return doc

    def load(self, code_text: str) -> dict:
        code = self._code(code_text)
        return self._live(code, self.store.load(code))

    def _is_teacher(self, doc: dict, token: str | None) -> bool:
        return identity.token_matches(token, doc["teacher_digest"])

    def _require_teacher(self, doc: dict, token: str | None) -> None:
        if not self._is_teacher(doc, token):
            raise RoomError(403, f"only the teacher of room {doc['code']} can do this "
                                 "(the teacher token is missing or wrong)")

    def followers(self, code: str) -> int:
        now = time.time()
        cached = self._follower_counts.get(code)
        if cached is not None and now - cached[0] < 1.0:
            return cached[1]
        count = self.store.count_followers(code, now - self.settings.follower_window)
        self._follower_counts[code] = (now, count)
        return count

    def view(self, doc: dict, client_id: str | None = None, teacher: bool = False) -> dict:
        """What a page is sent about a room (the teacher also gets the live poll results)."""
        out = {"code": doc["code"], "version": doc["version"], "state": doc["state"], "player": doc["player"],
               "closed": doc["closed"], "followers": self.followers(doc["code"]),
               "idle_seconds": self.settings.idle_seconds, "link": f"/room/{doc['code']}", "poll": None,
               "teacher": teacher}
        poll = doc.get("poll")
        if poll is not None:
            shown = {key: poll[key] for key in ("id", "kind", "question", "choices", "run", "view",
                                                  "state_version", "revealed") if key in poll}
            shown["answers"] = len(poll["answers"])
            if client_id is not None:
                shown["answered"] = identity.client_key(client_id, doc["code"]) in poll["answers"]
            if poll["revealed"]:
                shown["results"] = poll["results"]
            elif teacher:
                shown["results"] = polls.results(poll, self.settings.histogram_bins)
            out["poll"] = shown
        return out

    # ------------------------------------------------------------------ rate limits
    def _limit(self, action: str, who: str, ident: str, rule: RateLimit) -> None:
        now = time.time()
        count = self.store.count_hit(f"{action}:{who}:{ident}", rule.window, now)
        if count > rule.limit:
            wait = math.ceil(rule.window - now % rule.window)
            raise RoomError(429, f"too many {action} requests from this {who} "
                                 f"(at most {rule.limit} in {rule.window:g} s); try again in {wait} s",
                            retry_after=wait)

    # ------------------------------------------------------------------ teacher
    def create(self, state_text, address: str | None) -> tuple[dict, str]:
        """A new room on ``state_text``: ``(view, teacher_token)``. The token is shown once, here."""
        self._limit("create", "address", _address_key(address), self.settings.create_per_address)
        state = canonical_state(state_text, self.settings.max_state)
        token = identity.new_token()
        now = time.time()
        doc = {"version": 1, "state": state, "closed": False, "teacher_digest": identity.token_digest(token),
               "created": now, "updated": now, "polls": 0, "poll": None,
               "player": {"playing": False, "step": 0, "speed": 1.0, "at": now}}
        for attempt in range(20):
            code = identity.new_code(4 if attempt < 10 else 5)
            doc["code"] = code
            if self.store.create(code, doc, self.settings.idle_seconds):
                return self.view(doc, teacher=True), token
        raise RoomError(503, "no free room code found; try again")   # pragma: no cover - 923k codes

    def _teacher_change(self, code_text: str, token: str | None, change, bump: bool = True) -> dict:
        """Apply ``change(doc, now)`` (which edits ``doc`` in place) as the room's teacher."""
        code = self._code(code_text)
        self._require_teacher(self._live(code, self.store.load(code)), token)  # cheap refusal, no write lock

        def apply(doc):
            self._live(code, doc)
            self._require_teacher(doc, token)
            now = time.time()
            change(doc, now)
            doc["updated"] = now
            if bump:
                doc["version"] += 1
            return doc

        doc = self.store.modify(code, apply, self.settings.idle_seconds)
        if doc is None:
            raise self._missing(code)
        self.feed.publish(code, doc["version"])
        return self.view(doc, teacher=True)

    def teacher_view(self, code_text: str, token: str | None) -> dict:
        """The teacher's view (live poll results); renews the idle time at most once a minute."""
        doc = self.load(code_text)
        self._require_teacher(doc, token)
        if time.time() - doc["updated"] > 60.0:
            return self._teacher_change(code_text, token, lambda doc, now: None, bump=False)
        return self.view(doc, teacher=True)

    def set_state(self, code_text: str, token: str | None, state_text) -> dict:
        state = canonical_state(state_text, self.settings.max_state)

        def change(doc, now):
            doc["state"] = state
        return self._teacher_change(code_text, token, change)

    def command(self, code_text: str, token: str | None, body: dict) -> dict:
        """A player command: ``{"command": "play"|"pause"|"step", "step"?: k, "speed"?: s}``.

        ``play`` and ``pause`` keep the current step unless one is given; ``step``
        needs ``k`` and shows frame k, paused. ``at`` is the server time of the command.
        """
        name = body.get("command")
        if name not in PLAYER_COMMANDS:
            raise RoomError(400, f"'command' must be one of {', '.join(PLAYER_COMMANDS)}")
        step = body.get("step")
        if step is None and name == "step":
            raise RoomError(400, "the 'step' command needs 'step': the frame to show")
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)
                                 or not 0 <= step <= self.settings.max_step):
            raise RoomError(400, f"'step' must be a whole number from 0 to {self.settings.max_step}")
        speed = body.get("speed")
        if speed is not None and (isinstance(speed, bool) or not isinstance(speed, (int, float))
                                  or not SPEEDS[0] <= speed <= SPEEDS[1]):
            raise RoomError(400, f"'speed' must be a number from {SPEEDS[0]:g} to {SPEEDS[1]:g}")

        def change(doc, now):
            player = doc["player"]
            player["playing"] = name == "play"
            if step is not None:
                player["step"] = step
            if speed is not None:
                player["speed"] = float(speed)
            player["at"] = now
        return self._teacher_change(code_text, token, change)

    def close(self, code_text: str, token: str | None) -> dict:
        def change(doc, now):
            doc["closed"] = True
            doc["state"] = ""
            doc["poll"] = None          # answers live only as long as the room
        return self._teacher_change(code_text, token, change)

    def start_poll(self, code_text: str, token: str | None, body: dict) -> dict:
        """A new poll on the room's current state; it replaces the previous one and its answers."""
        doc = self.load(code_text)
        self._require_teacher(doc, token)
        names, view = poll_subject(doc["state"])
        polls.new_poll(body, 0, doc["version"], names, view, self.settings.max_question)   # refuse early

        def change(doc, now):
            names, view = poll_subject(doc["state"])
            doc["polls"] += 1
            doc["poll"] = polls.new_poll(body, doc["polls"], doc["version"] + 1, names, view,
                                         self.settings.max_question)
        return self._teacher_change(code_text, token, change)

    def reveal(self, code_text: str, token: str | None, poll_id: int) -> dict:
        def change(doc, now):
            poll = self._poll(doc, poll_id)
            if poll["revealed"]:
                raise RoomError(409, f"poll {poll_id} is already revealed")
            poll["revealed"] = True
            poll["results"] = polls.results(poll, self.settings.histogram_bins)
        return self._teacher_change(code_text, token, change)

    # ------------------------------------------------------------------ students
    def _poll(self, doc: dict, poll_id: int) -> dict:
        poll = doc.get("poll")
        if poll is None or poll["id"] != poll_id:
            current = f"; the current poll is {poll['id']}" if poll else "; no poll is running"
            raise RoomError(404 if poll is None or poll_id > poll["id"] else 409,
                            f"poll {poll_id} is not this room's current poll{current}")
        return poll

    def join(self, code_text: str, client_id: str, address: str | None) -> dict:
        """A student opens the room: rate-limited per client and per address; counts as a follower."""
        self._limit("join", "address", _address_key(address), self.settings.join_per_address)
        self._limit("join", "client", client_id, self.settings.join_per_client)
        doc = self.load(code_text)
        self._touch(doc["code"], client_id, force=True)
        return self.view(doc, client_id)

    def _touch(self, code: str, client_id: str | None, force: bool = False) -> None:
        """Record a follower; this process writes the same follower at most every 5 s."""
        if client_id is None:
            return
        now = time.time()
        key = (code, client_id)
        with self._lock:
            if not force and now - self._touched.get(key, 0.0) < 5.0:
                return
            if len(self._touched) > 50_000:
                self._touched.clear()
            self._touched[key] = now
        self.store.touch_follower(code, identity.client_key(client_id, code), now, self.settings.follower_window)
        self._follower_counts.pop(code, None)

    def answer(self, code_text: str, poll_id: int, client_id: str | None, address: str | None,
               body: dict) -> dict:
        """One answer per client and poll, while the poll is open."""
        if client_id is None:
            raise RoomError(400, "no client id: join the room first (POST .../join sets it)")
        self._limit("answer", "address", _address_key(address), self.settings.answer_per_address)
        self._limit("answer", "client", client_id, self.settings.answer_per_client)
        code = self._code(code_text)
        key = identity.client_key(client_id, code)

        def change(doc):
            self._live(code, doc)
            poll = self._poll(doc, poll_id)
            if poll["revealed"]:
                raise RoomError(409, f"poll {poll_id} is already revealed; answers are closed")
            if key in poll["answers"]:
                raise RoomError(409, f"you already answered poll {poll_id}")
            if len(poll["answers"]) >= self.settings.max_answers:
                raise RoomError(409, f"poll {poll_id} is full ({self.settings.max_answers} answers)")
            poll["answers"][key] = polls.read_answer(poll, body)
            return doc

        self._live(code, self.store.modify(code, change, self.settings.idle_seconds))
        return {"code": code, "poll": poll_id, "accepted": True}

    def changes(self, code_text: str, since: int, wait: float, client_id: str | None, park: bool = True) -> dict:
        """Long poll: the room's view as soon as its version is not ``since``, or ``changed: false``.

        ``retry_ms`` tells the client when to ask again: 0 after a real wait,
        ``settings.retry_ms`` when the request was not parked: this process
        already parks ``max_waiters``, or ``park`` is false (a single-threaded
        server, where a parked request would stop everyone else).
        """
        doc = self.load(code_text)
        code = doc["code"]
        self._touch(code, client_id)
        if doc["version"] != since:
            return {**self.view(doc, client_id), "changed": True, "retry_ms": 0}
        version = self.feed.wait(code, since, doc["version"], wait) if park else None
        if version is None:
            return {"code": code, "version": since, "changed": False, "retry_ms": self.settings.retry_ms}
        if version == since:
            return {"code": code, "version": since, "changed": False, "retry_ms": 0}
        if version == GONE:
            raise self._missing(code)
        return {**self.view(self._load_at_least(code, version), client_id), "changed": True, "retry_ms": 0}

    def _load_at_least(self, code: str, version: int) -> dict:
        """The room at ``version`` or later; one store read for all the waiters a change wakes at once."""
        doc = self._recent.get(code)
        if doc is None or doc["version"] < version:
            doc = self.load(code)
            if len(self._recent) > 10_000:
                self._recent.clear()
            self._recent[code] = doc
        return self._live(code, doc)
