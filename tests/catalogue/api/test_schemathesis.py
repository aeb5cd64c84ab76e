"""Property-based requests generated from our own OpenAPI schema: no input makes a 5xx, and
every answer, error or not, is one the schema documents (status, content type, body shape).

The examples are the same on every run (derandomized), so a failure here is a failure on every
machine. To look further, run other examples: ``OCLO_SCHEMA_SEED=<n> pytest <this file>``.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalogue.api.throttles import SlidingWindowThrottle
from oclo.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
SEED = os.environ.get("OCLO_SCHEMA_SEED")


@pytest.fixture
def test_transaction_kept_open():
    """Requests go straight to the WSGI app here, not through Django's test client, so do
    what the client does: keep Django from closing the connection that holds the test's
    transaction at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def throttles_lifted(monkeypatch):
    """Hundreds of requests a minute from one address would be throttled (600/minute), and a
    429 is a documented answer: every operation after the first few would then be "tested"
    with 429s only, and which ones depended on the machine's speed. Throttling has its own
    tests (test_read_api, test_write_api)."""
    monkeypatch.setattr(SlidingWindowThrottle, "allow_request", lambda self, request, view: True)
    cache.clear()


def _examples(test):
    test = settings(
        max_examples=15,
        deadline=None,
        derandomize=SEED is None,
        suppress_health_check=list(HealthCheck),
    )(test)
    return seed(int(SEED))(test) if SEED is not None else test


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_catalogue", "test_transaction_kept_open", "throttles_lifted")
@schema.parametrize()
@_examples
def test_every_answer_to_requests_built_from_the_schema_is_documented(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    case.validate_response(
        response,
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
    )
