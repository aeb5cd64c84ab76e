"""Saved states of the test database that a test starts from in a moment: the demo catalogue is
loaded once per session (it takes tens of seconds), not once per module or per browser test.

PostgreSQL copies a database with ``CREATE DATABASE ... TEMPLATE`` (a second or two for ours);
the connection settings are then pointed at the copy, and the live server's threads and the
processes a test starts (``tests.processes``) follow them. SQLite's test database lives in
memory: its pages are copied in and out with the backup API.
"""

import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import count

from django.core.cache import caches
from django.db import connections

from catalogue.search.facet_index import facet_index


def _forget_derived_state() -> None:
    """What the process keeps about the data it read: another database's would be stale."""
    facet_index.reset()
    # Every cache, the process's own beside the shared one (``local``): rendered answers are
    # keyed by the data's version, which a restored copy starts again.
    for each in caches.all():
        each.clear()


class PostgresCopies:
    """Saved states as databases beside the test database, named after it."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self.home = self.connection.settings_dict["NAME"]
        self.mirrors = [
            other
            for other in connections
            if connections[other].settings_dict["TEST"].get("MIRROR") == alias
        ]
        self.numbers = count(1)
        self.current: str | None = None  # the copy in use, dropped when left
        # Dropping a database waits for every backend of the server to acknowledge it (seconds
        # on a busy server): it happens beside the tests, in one thread.
        self.dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-test-copy")
        self.saved: list[str] = []
        self.dropping: list[Future] = []

    @property
    def connection(self):
        # Looked up at each use: the connection object of the test's thread at that moment.
        return connections[self.alias]

    def _maintenance(self, sql: str, params=()) -> list[tuple]:
        """Runs ``sql`` outside any test database (CREATE/DROP DATABASE cannot run inside)."""
        settings = self.connection.settings_dict
        database = self.connection.Database.connect(
            dbname="postgres",
            user=settings["USER"],
            password=settings["PASSWORD"],
            host=settings["HOST"],
            port=settings["PORT"],
            autocommit=True,
        )
        try:
            cursor = database.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
        finally:
            database.close()

    def _drop(self, name: str) -> None:
        # FORCE: a request the browser left in flight may still hold a session on the copy.
        quote = self.connection.ops.quote_name
        self._maintenance(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")

    def _point_at(self, name: str) -> None:
        left = self.connection.settings_dict["NAME"]
        for alias in [self.alias, *self.mirrors]:
            connections[alias].close()
            connections[alias].settings_dict["NAME"] = name
        # The live server's threads keep their connections from request to request (browser
        # keep-alive, CONN_MAX_AGE): ended here, they fail their health check on the next
        # request and reconnect to the database now named.
        self._maintenance(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = %s",
            [left],
        )
        _forget_derived_state()

    def _copy(self, source: str, target: str) -> None:
        self.connection.close()  # a template must have no other session
        quote = self.connection.ops.quote_name
        self._maintenance(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(source)}")

    def _drop_later(self, name: str) -> None:
        self.dropping.append(self.dropper.submit(self._drop, name))

    def save(self, name: str, build) -> None:
        """Saves, as ``name``, what ``build()`` adds to the test database as it is now."""
        saved = f"{self.home}_{name}"
        # What an interrupted run left: the saved state and its copies.
        for (leftover,) in self._maintenance(
            "SELECT datname FROM pg_database WHERE left(datname, length(%s)) = %s",
            [saved, saved],
        ):
            self._drop(leftover)
        self._copy(self.home, saved)
        self.saved.append(saved)
        self._point_at(saved)
        try:
            build()
        finally:
            self._point_at(self.home)

    def enter(self, name: str, *, writable: bool) -> None:
        """Points the connections at the state saved as ``name``. Tests that roll their
        writes back share the saved database itself; ``writable`` gives a fresh copy of it to
        commit into (the live server's requests, the task worker)."""
        saved = f"{self.home}_{name}"
        if not writable:
            self._point_at(saved)
            return
        self.current = f"{saved}_{next(self.numbers)}"
        self._copy(saved, self.current)
        self._point_at(self.current)

    def leave(self) -> None:
        """Back to the test database the session began with."""
        self._point_at(self.home)
        if self.current:
            self._drop_later(self.current)
            self.current = None

    def close(self) -> None:
        for saved in self.saved:
            self._drop_later(saved)
        self.dropper.shutdown(wait=True)
        for drop in self.dropping:
            drop.result()  # a copy that could not be dropped is an error of the run


class SqliteCopies:
    """Saved states as in-memory SQLite databases, copied page by page into the test database
    (which the live server's threads share: one connection, see pytest-django's LiveServer)."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self.saved: dict[str, sqlite3.Connection] = {}

    def _raw(self) -> sqlite3.Connection:
        connection = connections[self.alias]
        connection.ensure_connection()
        return connection.connection

    def _restore(self, name: str) -> None:
        self.saved[name].backup(self._raw())
        _forget_derived_state()

    def _snapshot(self, name: str) -> None:
        self.saved[name] = sqlite3.connect(":memory:", check_same_thread=False)
        self._raw().backup(self.saved[name])

    def save(self, name: str, build) -> None:
        if "home" not in self.saved:
            self._snapshot("home")
        build()
        self._snapshot(name)
        self._restore("home")

    def enter(self, name: str, *, writable: bool) -> None:
        self._restore(name)

    def leave(self) -> None:
        self._restore("home")

    def close(self) -> None:
        for saved in self.saved.values():
            saved.close()


def database_copies(alias: str = "default") -> PostgresCopies | SqliteCopies:
    if connections[alias].vendor == "postgresql":
        return PostgresCopies(alias)
    return SqliteCopies(alias)
