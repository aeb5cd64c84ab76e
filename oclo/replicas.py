"""Reads from the read replicas, writes to the primary, and read-your-writes for each client.

A streaming replica replays the primary's changes a moment later. A visitor who just saved
something and reads it back from a replica could see it missing, so a client that wrote is
read from the primary for ``OCLO_READ_YOUR_WRITES_SECONDS`` afterwards: the response to the
write sets a cookie that says until when (``PRIMARY_COOKIE``). Other clients read replicas and
see the change when the replica has replayed it.

Only a web request without that cookie reads replicas. Everything else (management commands,
the task worker, tests, a write request's own reads) reads the primary: they read what they
are about to write, and must see it as it is.
"""

import random
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections

PRIMARY_COOKIE = "oclo_primary_until"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass
class _Reading:
    replicas: bool  # whether reads may go to a replica
    wrote: bool = False


_reading: ContextVar[_Reading | None] = ContextVar("oclo_reading", default=None)


class PrimaryReplicaRouter:
    """Sends a request's reads to a random replica unless it must read the primary."""

    def db_for_read(self, model, **hints):
        state = _reading.get()
        if (
            state is None
            or not state.replicas
            or state.wrote
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return random.choice(settings.OCLO_REPLICA_DATABASES)

    def db_for_write(self, model, **hints):
        state = _reading.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _pinned_until(request) -> float:
    try:
        return float(request.COOKIES.get(PRIMARY_COOKIE, 0))
    except ValueError:
        return 0


class ReadYourWritesMiddleware:
    """Reads a request from the replicas unless it writes or its client wrote a moment ago;
    marks a client that wrote with the cookie."""

    def __init__(self, get_response):
        if not settings.OCLO_REPLICA_DATABASES:
            raise MiddlewareNotUsed("no read replica: every read goes to the one database")
        self.get_response = get_response

    def __call__(self, request):
        state = _Reading(
            replicas=request.method in SAFE_METHODS and _pinned_until(request) < time.time()
        )
        token = _reading.set(state)
        try:
            response = self.get_response(request)
        finally:
            _reading.reset(token)
        if state.wrote or request.method not in SAFE_METHODS:
            seconds = settings.OCLO_READ_YOUR_WRITES_SECONDS
            response.set_cookie(
                PRIMARY_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
