"""The Redis backend: rooms shared by workers on several machines (``OPTISCAPE_REDIS_URL``).

A room is a hash ``<prefix>room:<code>`` with fields ``doc`` (JSON) and
``version``, expiring by ``PEXPIRE``; a change is a ``WATCH``/``MULTI``/``EXEC``
transaction retried when another client changed the room meanwhile (redis-py's
``Redis.transaction``). Followers are a sorted set (client -> time seen),
counters plain ``INCR`` keys that expire with their window. redis-py's
connection pool reconnects after a fork, so gunicorn workers can share one
:class:`RedisStore` built before forking.
"""
from __future__ import annotations

import json
from typing import Iterable

import redis

from webapp.rooms.store import Change, Store

__all__ = ["RedisStore"]


class RedisStore(Store):
    name = "redis"
    unavailable = (redis.RedisError,)     # errors that mean "the store cannot answer now" (503)

    def __init__(self, url: str, prefix: str = "optiscape:rooms:", max_connections: int = 32):
        self.url = url
        self.prefix = prefix
        # a blocking pool: when every thread of a worker wakes at once (a change reaching 160 parked
        # followers), threads wait up to 10 s for one of max_connections connections instead of failing
        pool = redis.BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=10,
                                                     socket_timeout=10, socket_connect_timeout=5,
                                                     health_check_interval=30)
        self.client = redis.Redis(connection_pool=pool)

    def _room(self, code: str) -> str:
        return f"{self.prefix}room:{code}"

    def close(self) -> None:
        self.client.connection_pool.disconnect()

    def create(self, code: str, doc: dict, ttl: float) -> bool:
        key = self._room(code)

        def attempt(pipe):
            if pipe.exists(key):
                return False
            pipe.multi()
            pipe.hset(key, mapping={"doc": json.dumps(doc), "version": int(doc["version"])})
            pipe.pexpire(key, int(ttl * 1000))
            return True

        return self.client.transaction(attempt, key, value_from_callable=True)

    def load(self, code: str) -> dict | None:
        text = self.client.hget(self._room(code), "doc")
        return None if text is None else json.loads(text)

    def modify(self, code: str, change: Change, ttl: float) -> dict | None:
        key = self._room(code)

        def attempt(pipe):
            text = pipe.hget(key, "doc")
            if text is None:
                return None
            doc = json.loads(text)
            new = change(doc)
            if new is None:
                pipe.multi()          # an empty transaction: still fails if the room changed meanwhile
                return doc
            pipe.multi()
            pipe.hset(key, mapping={"doc": json.dumps(new), "version": int(new["version"])})
            pipe.pexpire(key, int(ttl * 1000))
            return new

        return self.client.transaction(attempt, key, value_from_callable=True)

    def versions(self, codes: Iterable[str]) -> dict[str, int]:
        codes = list(codes)
        if not codes:
            return {}
        pipe = self.client.pipeline(transaction=False)
        for code in codes:
            pipe.hget(self._room(code), "version")
        return {code: int(v) for code, v in zip(codes, pipe.execute()) if v is not None}

    def touch_follower(self, code: str, client: str, now: float, ttl: float) -> None:
        key = f"{self.prefix}followers:{code}"
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(key, {client: now})
        pipe.zremrangebyscore(key, "-inf", now - ttl)
        pipe.pexpire(key, int(ttl * 1000))
        pipe.execute()

    def count_followers(self, code: str, since: float) -> int:
        return int(self.client.zcount(f"{self.prefix}followers:{code}", since, "+inf"))

    def count_hit(self, key: str, window: float, now: float) -> int:
        slot = int(now // window)
        name = f"{self.prefix}hits:{key}:{slot}"
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(name)
        pipe.pexpire(name, int(((slot + 1) * window - now + 1.0) * 1000))
        count, _ = pipe.execute()
        return int(count)
