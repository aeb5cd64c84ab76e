"""gunicorn's threaded worker, telling the app how long each request waited for a thread
(``request_queued_seconds``), so that a request that waited too long is refused at once
(``oclo.middleware.LoadSheddingMiddleware``) instead of served late."""

import threading
import time

from gunicorn.workers.gthread import ThreadWorker

_waited = threading.local()


def request_queued_seconds() -> float | None:
    """How long the current request waited for a thread; None when another server (runserver,
    the test client) serves it."""
    return getattr(_waited, "seconds", None)


class QueueTimedThreadWorker(ThreadWorker):
    def enqueue_req(self, conn):
        # A new connection, or a kept-alive one with a new request: it now waits for a thread.
        conn.oclo_queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn):
        # The wait ends when a thread takes the connection. What follows, the client's first
        # bytes and its headers, is the client's time, not the server's backlog.
        _waited.seconds = time.monotonic() - conn.oclo_queued_at
        try:
            return super().handle(conn)
        finally:
            _waited.seconds = None
