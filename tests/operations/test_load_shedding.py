"""A process already working on its share of requests refuses the next one (503 and
Retry-After) after a short wait instead of queueing it, serves a request whose slot frees
within that wait, and serves again as soon as a request ends."""

import json
import threading
import time

from django.http import HttpResponse

from oclo.middleware import LoadSheddingMiddleware


def test_a_request_beyond_the_limit_is_refused_after_the_wait_then_served_again(rf, settings):
    settings.OCLO_MAX_CONCURRENT_REQUESTS = 1
    settings.OCLO_BUSY_WAIT_SECONDS = 0.05
    working, finish = threading.Event(), threading.Event()

    def view(request):
        if request.path == "/slow/":
            working.set()
            finish.wait(10)
        return HttpResponse("done")

    middleware = LoadSheddingMiddleware(view)
    first = threading.Thread(target=middleware, args=[rf.get("/slow/")])
    first.start()
    assert working.wait(10)
    started = time.monotonic()
    busy = middleware(rf.get("/api/v1/learning-opportunities/"))
    assert time.monotonic() - started < 2  # refused after the short wait, not queued
    assert busy.status_code == 503 and busy["Retry-After"] == "1"
    assert json.loads(busy.content) == {"detail": "The catalogue is busy. Try again in a second."}
    assert middleware(rf.get("/")).status_code == 503
    assert middleware(rf.get("/static/css/oclo.css")).status_code == 200  # files are cheap
    finish.set()
    first.join(10)
    assert middleware(rf.get("/")).content == b"done"


def test_a_request_that_finds_a_slot_within_the_wait_is_served(rf, settings):
    """A burst is absorbed: the slot frees a few milliseconds later and the request is served,
    not refused, and not after the whole wait."""
    settings.OCLO_MAX_CONCURRENT_REQUESTS = 1
    settings.OCLO_BUSY_WAIT_SECONDS = 5
    working, finish = threading.Event(), threading.Event()

    def view(request):
        if request.path == "/slow/":
            working.set()
            finish.wait(10)
        return HttpResponse("done")

    middleware = LoadSheddingMiddleware(view)
    first = threading.Thread(target=middleware, args=[rf.get("/slow/")])
    first.start()
    assert working.wait(10)
    threading.Timer(0.05, finish.set).start()
    started = time.monotonic()
    answer = middleware(rf.get("/"))
    assert answer.status_code == 200 and answer.content == b"done"
    assert time.monotonic() - started < 2
    first.join(10)
