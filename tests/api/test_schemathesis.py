"""Property-based requests generated from our own OpenAPI schema: no input makes a 5xx, and
every answer, error or not, is one the schema documents (status, content type, body shape)."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from oclo.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


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


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_catalogue", "test_transaction_kept_open")
@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_answer_to_requests_built_from_the_schema_is_documented(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    case.validate_response(
        response,
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
    )
