"""Property-based requests generated from our own OpenAPI schema: no input makes a 5xx."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

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
def test_no_request_built_from_the_schema_gets_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
