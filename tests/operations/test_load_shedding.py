"""A process already working on its share of requests refuses the next one (503 and
Retry-After) after a short wait instead of queueing it, serves a request whose slot frees
within that wait, and serves again as soon as a request ends."""

import json
import threading
import time

import pytest
from django.http import HttpResponse

from oclo.middleware import LoadSheddingMiddleware


@pytest.fixture
def busy_process(rf, settings):
    """A process whose one slot is taken by a slow request, until ``finish`` is set:
    (the process, ``finish``, the slow request's thread)."""
    settings.OCLO_MAX_CONCURRENT_REQUESTS = 1
    working, finish = threading.Event(), threading.Event()

    def view(request):
        if request.path == "/slow/":
            working.set()
            finish.wait(10)
        return HttpResponse("done")

    middleware = LoadSheddingMiddleware(view)
    slow = threading.Thread(target=middleware, args=[rf.get("/slow/")])
    slow.start()
    assert working.wait(10)
    yield middleware, finish, slow
    finish.set()
    slow.join(10)


def test_a_request_beyond_the_limit_is_refused_after_the_wait_then_served_again(
    rf, settings, busy_process
):
    middleware, finish, slow = busy_process
    settings.OCLO_BUSY_WAIT_SECONDS = 0.05
    started = time.monotonic()
    busy = middleware(rf.get("/api/v1/learning-opportunities/"))
    assert time.monotonic() - started < 2  # refused after the short wait, not queued
    assert busy.status_code == 503 and busy["Retry-After"] == "1"
    assert json.loads(busy.content) == {"detail": "The catalogue is busy. Try again in a second."}
    assert middleware(rf.get("/")).status_code == 503
    assert middleware(rf.get("/static/css/oclo.css")).status_code == 200  # files are cheap
    finish.set()
    slow.join(10)  # the slow request ends and gives its slot back
    assert middleware(rf.get("/")).content == b"done"


def test_a_request_that_finds_a_slot_within_the_wait_is_served(rf, settings, busy_process):
    """A burst is absorbed: the slot frees a few milliseconds later and the request is served,
    not refused, and not after the whole wait."""
    middleware, finish, _slow = busy_process
    settings.OCLO_BUSY_WAIT_SECONDS = 5
    threading.Timer(0.05, finish.set).start()
    started = time.monotonic()
    answer = middleware(rf.get("/"))
    assert answer.status_code == 200 and answer.content == b"done"
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(("waited", "status"), [(1.0, 503), (0.01, 200), (None, 200)])
def test_a_request_that_waited_too_long_for_a_thread_is_refused_at_once(
    rf, settings, monkeypatch, waited, status
):
    """The slots do not see the queue before the app: gunicorn's worker (oclo.workers) says
    how long each request waited for a thread, and one that waited past the limit is refused
    without being served, while a free slot would have taken it. Other servers say nothing."""
    settings.OCLO_MAX_QUEUE_SECONDS = 0.25
    monkeypatch.setattr("oclo.middleware.request_queued_seconds", lambda: waited)
    served = []
    middleware = LoadSheddingMiddleware(lambda request: served.append(request) or HttpResponse())
    answer = middleware(rf.get("/api/v1/learning-opportunities/"))
    assert answer.status_code == status
    assert len(served) == (status == 200)
    if status == 503:
        assert answer["Retry-After"] == "1"
