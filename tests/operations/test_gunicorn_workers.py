"""What gunicorn's worker (oclo.workers) and hooks (oclo/gunicorn.py) do for the app."""

import gc
import itertools
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from oclo import gunicorn
from tests.processes import app_servers

PORT = 8153
URL = f"http://127.0.0.1:{PORT}/api/v1/eqf-levels/"


@pytest.fixture
def fresh_worker(monkeypatch):
    monkeypatch.setattr(gunicorn, "_served", itertools.count(1))
    yield
    gc.unfreeze()


def _collected(thing) -> bool:
    """Whether full collections walk it (frozen objects are not among the collector's)."""
    return any(item is thing for item in gc.get_objects())


def test_a_worker_keeps_what_its_first_requests_built_out_of_full_collections(fresh_worker):
    built_by_first_requests = [{"template": "compiled"}]

    for _ in range(gunicorn.FREEZE_AFTER_REQUESTS - 1):
        gunicorn.post_request(None, None, {}, None)
    assert _collected(built_by_first_requests)

    gunicorn.post_request(None, None, {}, None)
    assert not _collected(built_by_first_requests)

    built_later = [{"template": "compiled later"}]
    for _ in range(gunicorn.FREEZE_AFTER_REQUESTS):
        gunicorn.post_request(None, None, {}, None)
    assert _collected(built_later)  # once, not every hundred requests


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def one_thread_server():
    """gunicorn as configured for production, with one worker of one thread."""
    with app_servers(PORT, GUNICORN_THREADS="1", OCLO_MAX_QUEUE_SECONDS="0.3"):
        yield


@pytest.mark.django_db(transaction=True)  # the server reads committed rows only
def test_a_request_that_waited_for_the_busy_thread_is_refused_and_a_slow_client_is_not(
    one_thread_server,
):
    """A client sends its headers over a second and holds the one thread meanwhile: it is
    served, its own slowness is not the server's backlog. A request that came in meanwhile
    waited for the thread longer than OCLO_MAX_QUEUE_SECONDS: refused at once when its turn
    comes."""
    slow = socket.create_connection(("127.0.0.1", PORT), timeout=30)
    slow.sendall(b"GET /api/v1/eqf-levels/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.2)  # the thread has taken it and reads its headers
    waiting = []
    meanwhile = threading.Thread(target=lambda: waiting.append(_status(URL)))
    meanwhile.start()
    time.sleep(1)
    slow.sendall(b"Connection: close\r\n\r\n")
    first_line = slow.makefile("rb").readline()
    slow.close()
    meanwhile.join(30)
    assert first_line.startswith(b"HTTP/1.1 200")
    assert waiting == [503]
    assert _status(URL) == 200  # no backlog left: served again
