"""Two app servers on one database and one shared cache (Redis, as in production): an edit
made through one is what the other answers on the very next request, pages and API alike,
although both keep rendered answers in the cache."""

import os
import urllib.error
import urllib.request

import pytest

from catalogue.models import ApiToken
from catalogue.tokens import api_token_issue
from taxonomies.loaders import taxonomies_load
from tests.builders import make_opportunity, make_organisation
from tests.processes import app_servers

pytestmark = pytest.mark.django_db(transaction=True)  # the servers read committed rows only
PORTS = (8151, 8152)


def fetch(url: str, *, method="GET", body: bytes | None = None, headers=None) -> str:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


@pytest.fixture
def two_servers():
    with app_servers(*PORTS) as urls:
        yield urls


@pytest.mark.skipif(not os.environ.get("CACHE_URL"), reason="CACHE_URL is not set: no shared cache")
def test_an_edit_through_one_server_is_what_the_other_answers_next(two_servers):
    taxonomies_load()
    provider = make_organisation("Leica Camera Italia", provider_type="company")
    opportunity = make_opportunity(provider, title="Darkroom printing")
    token = api_token_issue(token=ApiToken(organisation=provider, name="course system"))
    one, two = two_servers
    detail = f"/api/v1/learning-opportunities/{opportunity.pk}/"
    for server in (one, two):  # both render and cache the current answers
        assert '"title":"Darkroom printing"' in fetch(server + detail)
        assert "Darkroom printing" in fetch(f"{server}/?q=darkroom")

    fetch(
        one + detail,
        method="PATCH",
        body=b'{"title": "Darkroom printing, second edition"}',
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    assert '"title":"Darkroom printing, second edition"' in fetch(two + detail)
    assert "Darkroom printing, second edition" in fetch(f"{two}/?q=darkroom")
    assert "Darkroom printing, second edition" in fetch(f"{two}/opportunities/{opportunity.pk}/")
