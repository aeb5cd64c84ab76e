"""Other processes of the app (a second server, a task worker) on the test database."""

import os
import subprocess
import sys
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
