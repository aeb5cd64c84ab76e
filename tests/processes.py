"""Other processes of the app (a second server, a task worker) on the test database."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection


def test_database_url() -> str:
    """The address of the test database, for another process; skips the test on SQLite,
    whose test database lives in this process's memory."""
    if connection.vendor != "postgresql":
        pytest.skip("another process cannot open the in-memory SQLite test database")
    database = connection.settings_dict
    password = f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else ""
    return (
        f"postgres://{quote(database['USER'])}{password}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )


def app_environment(**environment: str) -> dict[str, str]:
    """The environment of another app process on the test database (and this cache)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oclo.settings",
        "DATABASE_URL": test_database_url(),
        **environment,
    }


def manage(*arguments: str, **environment: str) -> subprocess.Popen:
    """``manage.py`` with these arguments in a new process on the test database."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=app_environment(**environment),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def app_servers(*ports: int, **environment: str) -> Iterator[list[str]]:
    """gunicorn as production runs it (``oclo/gunicorn.py``), one server per port on the test
    database, one worker each unless told otherwise: their base URLs once all answer, stopped
    after. They start together: each takes seconds to load the app."""
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "oclo/gunicorn.py", "oclo.wsgi:application"],
            cwd=settings.BASE_DIR,
            env=app_environment(
                **{"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1", **environment}
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    urllib.request.urlopen(f"{url}/about/", timeout=30).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert time.monotonic() < deadline, f"{url} did not start"
                    time.sleep(0.2)
        yield urls
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
