"""What gunicorn's hooks (oclo/gunicorn.py) do in a worker."""

import gc
import itertools

import pytest

from oclo import gunicorn


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
