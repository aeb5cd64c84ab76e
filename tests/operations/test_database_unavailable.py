"""The database goes away: pages and the API say so within seconds (503, come back shortly),
and answer again by themselves when it returns."""

import time

import pytest
from django.db import connections
from django.test import Client

from taxonomies.loaders import taxonomies_load
from tests.builders import make_opportunity

pytestmark = pytest.mark.django_db(transaction=True)  # the connection is closed and reopened


class Outage:
    """Points the default database's address where nothing answers, and back."""

    def __init__(self):
        self.connection = connections["default"]
        self.saved = dict(self.connection.settings_dict)

    def begin(self):
        self.connection.close()
        self.connection.settings_dict.update(HOST="127.0.0.1", PORT="9")  # refused

    def end(self):
        self.connection.close()
        self.connection.settings_dict.update(self.saved)


@pytest.fixture
def outage(on_postgres):
    if not on_postgres:
        # Django keeps SQLite's in-memory test database open (closing it would destroy it), so
        # its address cannot be taken away. A database server can go away; the embedded
        # default, a file beside the app, does not.
        pytest.skip("the SQLite test database lives in this process and cannot go away")
    outage = Outage()
    yield outage
    outage.end()


def test_pages_and_api_answer_503_quickly_then_recover_by_themselves(outage):
    taxonomies_load()  # an earlier transactional test may have emptied the database
    opportunity = make_opportunity(title="Darkroom printing")
    client = Client(raise_request_exception=False)
    client.get("/")  # a server that has been running: its code and templates are loaded
    outage.begin()
    for path in ("/", f"/opportunities/{opportunity.pk}/", "/api/v1/learning-opportunities/"):
        started = time.monotonic()
        response = client.get(path)
        assert time.monotonic() - started < 2, path
        assert response.status_code == 503, path
        assert response["Retry-After"] == "5"
        if path.startswith("/api/"):
            assert response.json() == {
                "detail": "The catalogue is briefly unavailable. Try again in a few seconds."
            }
        else:
            assert "The catalogue is briefly unavailable" in response.text
    outage.end()
    assert "Darkroom printing" in client.get("/").text
    api = client.get("/api/v1/learning-opportunities/")
    assert api.status_code == 200 and api.json()["count"] == 1
