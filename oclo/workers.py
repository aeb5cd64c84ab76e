"""gunicorn's threaded worker, telling the app how long each request waited for a thread
(``request_queued_seconds``), so that a request that waited too long is refused at once
(``oclo.middleware.LoadSheddingMiddleware``) instead of served late."""

import threading
import time

from gunicorn.workers.gthread import ThreadWorker

# When the request this thread serves began to wait for a thread (``time.monotonic()``).
_queued = threading.local()


def request_queued_seconds() -> float | None:
    """How long the current request waited for a thread; None when another server (runserver,
    the test client) serves it."""
    since = getattr(_queued, "since", None)
    return None if since is None else time.monotonic() - since


class QueueTimedThreadWorker(ThreadWorker):
    def enqueue_req(self, conn):
        # A new connection, or a kept-alive one with a new request: it now waits for a thread.
        conn.oclo_queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle_request(self, req, conn):
        _queued.since = getattr(conn, "oclo_queued_at", None)
        try:
            return super().handle_request(req, conn)
        finally:
            _queued.since = None
