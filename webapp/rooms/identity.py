"""Room codes, teacher tokens and anonymous client ids: how each is made, checked and stored.

* A **room code** (``K7Q2``) is 4 characters (5 when 4 keep colliding) from an
  alphabet without look-alikes (no 0/O, 1/I/L). It is public: it is on the
  projector.
* A **teacher token** is 32 random bytes (URL-safe base64). Only its SHA-256 is
  stored, and it travels only in the ``Authorization: Bearer`` header, never in a
  link or a cookie, so a cross-site page cannot use it (no CSRF).
* A **client id** is an anonymous random cookie set at join; stored only as a
  keyed hash, to count followers and to allow one answer per poll.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

__all__ = ["CODE_ALPHABET", "new_code", "normalize_code", "new_token", "token_digest", "token_matches",
           "new_client_id", "valid_client_id", "client_key"]

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{4,6}}$")
_CLIENT = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_code(length: int = 4) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(text: str) -> str | None:
    """The code in canonical form (upper case), or ``None`` when ``text`` cannot be a room code."""
    code = (text or "").strip().upper()
    return code if _CODE.match(code) else None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def token_matches(token: str | None, digest: str) -> bool:
    """Constant-time comparison of a presented token with the stored digest."""
    if not token or len(token) > 200:
        return False
    return hmac.compare_digest(token_digest(token), digest)


def new_client_id() -> str:
    return secrets.token_urlsafe(16)       # 22 characters


def valid_client_id(text: str | None) -> bool:
    return bool(text) and bool(_CLIENT.match(text))


def client_key(client_id: str, room_code: str) -> str:
    """What a room stores about a client: a per-room hash, so rooms cannot be linked by client."""
    return hashlib.sha256(f"{room_code}:{client_id}".encode()).hexdigest()[:24]
