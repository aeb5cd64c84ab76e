"""One search snapshot per machine (search.snapshot_files): written by one process, mapped by
every worker. A worker answers from the files what it would answer from an index of its own,
sees an edit at once, and goes back to the shared files when they have caught up."""

import os

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalogue.search.facet_index import facet_index
from catalogue.search.snapshot_files import current_snapshot_path
from catalogue.search.words import normalize
from descriptors.models import LearningOpportunity, LearningOutcome
from taxonomies.models import EscoOccupation, EscoOccupationSkill, EscoSkill
from tests.builders import make_opportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

API = reverse("api:opportunity-list")

# Between them, every facet counted and every kind of filter and order the index serves.
SEARCHES = [
    {"facets": "true", "page_size": "100"},
    {"facets": "true", "q": "data", "sort": "title"},
    {"facets": "true", "eqf": ["6", "7"], "language": "ENG", "sort": "ects"},
    {"facets": "true", "price": "paid", "max_fee": "500", "sort": "start"},
    {"facets": "true", "start": "any", "when": "current", "sort": "workload"},
    {"facets": "true", "application": "open", "sort": "newest"},
    {"facets": "true", "start_from": "2026-01-01", "start_to": "2027-12-31"},
]


@pytest.fixture
def snapshot_dir(settings, tmp_path):
    settings.OCLO_SEARCH_SNAPSHOT_DIR = tmp_path / "search-snapshot"
    facet_index.reset()
    yield settings.OCLO_SEARCH_SNAPSHOT_DIR
    facet_index.reset()


def answers(client) -> list[dict]:
    return [client.get(API, params).json() for params in SEARCHES]


def titles_by_title(client) -> list[str]:
    answer = client.get(API, {"sort": "title", "page_size": 100}).json()
    assert not answer["next"]
    return [result["title"] for result in answer["results"]]


def write_snapshot() -> None:
    call_command("search_snapshot", "--once")


def test_a_worker_answers_from_the_machines_files_as_from_an_index_of_its_own(
    client, settings, snapshot_dir
):
    settings.OCLO_SEARCH_SNAPSHOT_DIR = None
    own_index = answers(client)
    assert own_index[0]["count"] >= 30 and own_index[0]["facets"]

    settings.OCLO_SEARCH_SNAPSHOT_DIR = snapshot_dir
    write_snapshot()
    facet_index.reset()  # a new worker
    assert answers(client) == own_index
    assert facet_index.current().mapped_from == current_snapshot_path(snapshot_dir)


def test_an_edit_shows_at_once_and_the_worker_returns_to_the_files_once_rewritten(
    client, snapshot_dir
):
    write_snapshot()
    first_files = current_snapshot_path(snapshot_dir)
    opportunity = LearningOpportunity.objects.published().first()
    opportunity.title = "Zymurgy for brewers"
    opportunity.save()

    assert titles_by_title(client)[-1] == "Zymurgy for brewers"
    assert facet_index.current().mapped_from is None  # patched in this worker's memory

    write_snapshot()
    assert current_snapshot_path(snapshot_dir) != first_files
    assert client.get(API, {"q": "zymurgy"}).json()["count"] == 1
    assert facet_index.current().mapped_from == current_snapshot_path(snapshot_dir)


def test_records_added_since_the_files_sort_by_title_among_the_others(client, snapshot_dir):
    write_snapshot()
    titles = ["Aardvark anatomy", "Quokka ecology, field course", "Quokka ecology"]
    for title in titles:
        make_opportunity(complete=True, title=title)

    listed = titles_by_title(client)
    assert listed == sorted(listed, key=normalize)
    assert listed[0] == "Aardvark anatomy"
    assert listed.index("Quokka ecology") + 1 == listed.index("Quokka ecology, field course")


def test_only_the_newest_snapshots_are_kept(snapshot_dir):
    for _ in range(4):
        LearningOpportunity.objects.published().first().save()
        write_snapshot()
    kept = sorted(path.name for path in snapshot_dir.iterdir() if path.name.startswith("snap"))
    assert len(kept) == 2
    assert os.readlink(snapshot_dir / "current") in kept


def test_the_writer_needs_to_be_told_where(settings):
    settings.OCLO_SEARCH_SNAPSHOT_DIR = None
    with pytest.raises(CommandError, match="Set OCLO_SEARCH_SNAPSHOT_DIR"):
        write_snapshot()


def test_a_catalogue_with_nothing_published_is_written_and_served(client, snapshot_dir):
    LearningOpportunity.objects.all().delete()
    write_snapshot()
    facet_index.reset()
    answer = client.get(API, {"facets": "true"}).json()
    assert answer["count"] == 0 and answer["results"] == []
    assert facet_index.current().mapped_from == current_snapshot_path(snapshot_dir)


def test_courses_for_a_job_are_the_same_from_the_files(client, settings, snapshot_dir):
    """Courses for a job read the skill pairs by value, which the files hold ready-sorted."""
    occupation = EscoOccupation.objects.create(
        uri="http://data.europa.eu/esco/occupation/test-credential-evaluator",
        preferred_label="credential evaluator",
    )
    taught = EscoSkill.objects.filter(
        pk__in=LearningOutcome.objects.filter(opportunity__status="published").values("skills")
    )
    for skill in taught.order_by("pk")[:4]:
        EscoOccupationSkill.objects.create(occupation=occupation, skill=skill, relation="essential")
    courses = f"/api/v1/esco-occupations/{occupation.uri.rsplit('/', 1)[-1]}/opportunities/"

    settings.OCLO_SEARCH_SNAPSHOT_DIR = None
    own_index = client.get(courses).json()
    assert own_index["results"]

    settings.OCLO_SEARCH_SNAPSHOT_DIR = snapshot_dir
    write_snapshot()
    facet_index.reset()
    assert client.get(courses).json() == own_index
    documents, _ = facet_index.current().columns["skill"].by_value
    assert not documents.flags.owndata  # mapped from the files, not sorted by this worker
