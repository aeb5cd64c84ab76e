"""Property-based requests generated from our own OpenAPI schema: no input makes a 5xx."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from oclo.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_catalogue")
@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_built_from_the_schema_gets_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
