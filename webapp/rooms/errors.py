"""The one error type of the rooms backend: an HTTP status and a message for the client."""
from __future__ import annotations

__all__ = ["RoomError"]


class RoomError(Exception):
    """A request the rooms backend refuses: answered as ``{"error": message}`` with ``status``.

    ``retry_after`` (seconds) is sent as a ``Retry-After`` header (rate limits).
    """

    def __init__(self, status: int, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status = int(status)
        self.message = message
        self.retry_after = retry_after
