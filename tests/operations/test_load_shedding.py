"""A process already working on its share of requests refuses the next one at once (503 and
Retry-After) instead of queueing it, and serves again as soon as a request ends."""

import json
import threading

from django.http import HttpResponse

from oclo.middleware import LoadSheddingMiddleware


def test_a_request_beyond_the_limit_is_refused_at_once_then_served_again(rf, settings):
    settings.OCLO_MAX_CONCURRENT_REQUESTS = 1
    working, finish = threading.Event(), threading.Event()

    def view(request):
        working.set()
        finish.wait(10)
        return HttpResponse("done")

    middleware = LoadSheddingMiddleware(view)
    first = threading.Thread(target=middleware, args=[rf.get("/")])
    first.start()
    assert working.wait(10)
    busy = middleware(rf.get("/api/v1/learning-opportunities/"))
    assert busy.status_code == 503 and busy["Retry-After"] == "1"
    assert json.loads(busy.content) == {"detail": "The catalogue is busy. Try again in a second."}
    assert middleware(rf.get("/")).status_code == 503
    assert middleware(rf.get("/static/css/oclo.css")).status_code == 200  # files are cheap
    finish.set()
    first.join(10)
    assert middleware(rf.get("/")).content == b"done"
