"""The records of an API search answer are summarised from the cache, each summary kept under
its record's version (``catalogue.api.search_pages``): a partner reads every record as it is
now, in the language asked, on the day asked, and a record found again is not read again."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from descriptors.models import Edition
from tests.builders import make_edition, make_opportunity, make_organisation

pytestmark = pytest.mark.django_db

LIST = reverse("api:opportunity-list")


def found(client, text: str, **params) -> dict:
    """The one result of a search, as the API lists it."""
    (summary,) = client.get(LIST, {"q": text, **params}).json()["results"]
    return summary


def test_an_edited_record_is_listed_as_it_is_now(client):
    opportunity = make_opportunity(title="Bookbinding basics", workload_hours=20)
    assert found(client, "bookbinding")["workload_hours"] == 20

    opportunity.workload_hours = 30
    opportunity.save()

    assert found(client, "bookbinding")["workload_hours"] == 30


def test_a_renamed_provider_is_listed_under_its_new_name(client):
    """The provider's row changes, not the record's: its entry in the change log does."""
    provider = make_organisation("Rome school")
    make_opportunity(provider, title="Bookbinding basics")
    assert found(client, "bookbinding")["provider"]["label"] == "Rome school"

    provider.name = "Rome school of bookbinding"
    provider.save()

    assert found(client, "bookbinding")["provider"]["label"] == "Rome school of bookbinding"


def test_the_next_edition_is_the_next_one_on_the_day_asked(client):
    today = timezone.localdate()
    opportunity = make_opportunity(title="Bookbinding basics")
    make_edition(opportunity, reference="spring", start_date=today + timedelta(days=1))
    make_edition(opportunity, reference="autumn", start_date=today + timedelta(days=180))
    assert found(client, "bookbinding")["next_edition"]["reference"] == "spring"

    # Past midnight, less than a day later: the summary kept today must not serve tomorrow.
    tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), time(0, 1)))
    with time_machine.travel(tomorrow):
        assert found(client, "bookbinding")["next_edition"]["reference"] == "autumn"


def test_a_record_is_summarised_in_the_language_asked(client):
    make_opportunity(title="Bookbinding basics")
    english = found(client, "bookbinding")
    italian = client.get(LIST, {"q": "bookbinding"}, headers={"accept-language": "it"}).json()

    assert english["languages"][0]["label"] == "English"
    assert italian["results"][0]["languages"][0]["label"] == "Inglese"


def test_a_record_found_again_by_another_search_is_not_read_again(client):
    opportunity = make_opportunity(title="Bookbinding basics")
    make_edition(opportunity, start_date=timezone.localdate() + timedelta(days=10))
    first = found(client, "bookbinding")

    with CaptureQueriesContext(connection) as again:
        assert found(client, "bookbinding basics") == first
    read = " ".join(query["sql"] for query in again.captured_queries)
    assert Edition._meta.db_table not in read


def test_a_harvest_keeps_no_summary(client):
    """A harvester walks every record once: keeping their summaries would only push out those
    that searches find again."""
    make_opportunity(title="Bookbinding basics")
    client.get(LIST, {"cursor": "start"})

    with CaptureQueriesContext(connection) as search:
        found(client, "bookbinding")
    read = " ".join(query["sql"] for query in search.captured_queries)
    assert Edition._meta.db_table in read
