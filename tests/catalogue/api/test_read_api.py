import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

from catalogue.models import CatalogueChange
from catalogue.search.facet_index import facet_index
from descriptors.models import LearningOpportunity
from tests.builders import make_opportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

LIST = reverse("api:opportunity-list")


def detail_url(pk: int) -> str:
    return reverse("api:opportunity-detail", args=[pk])


def test_list_gives_the_same_answer_as_the_search_page(client):
    params = {"q": "fotografia", "eqf": "6"}
    page = client.get(reverse("catalogue:search"), params).context["result"]
    api = client.get(LIST, {**params, "facets": "true"}).json()
    assert api["count"] == page.total
    assert [item["id"] for item in api["results"]] == [o.pk for o in page.opportunities]
    eqf = next(facet for facet in api["facets"] if facet["facet"] == "eqf")
    assert {value["value"]: value["count"] for value in eqf["values"]} == {
        value.key: value.count for value in next(f for f in page.facets if f.key == "eqf").values
    }


def test_facet_counts_come_when_asked_after_the_same_search_without_them(client):
    params = {"q": "fotografia"}
    assert "facets" not in client.get(LIST, params).json()
    facets = client.get(LIST, {**params, "facets": "true"}).json()["facets"]
    eqf = next(facet for facet in facets if facet["facet"] == "eqf")
    assert sum(value["count"] for value in eqf["values"]) > 0


@pytest.mark.parametrize("sort", ["relevance", "newest", "start", "ects", "workload", "title"])
def test_small_pages_follow_one_another_in_the_order_of_one_big_page(client, sort):
    """A page of a few results out of many sorts only those that can come first."""
    params = {"q": "data OR digital OR energy OR photography", "sort": sort}
    whole = client.get(LIST, {**params, "page_size": 100}).json()
    assert whole["count"] > 12  # a page of 3 needs fewer than a quarter of them
    paged = [
        item["id"]
        for page in range(1, 5)
        for item in client.get(LIST, {**params, "page_size": 3, "page": page}).json()["results"]
    ]
    assert paged == [item["id"] for item in whole["results"]][:12]


def test_references_carry_uri_and_label(client):
    item = client.get(LIST, {"q": "automatic recognition"}).json()["results"][0]
    assert item["eqf_level"] == {
        "uri": "http://data.europa.eu/snb/eqf/7",
        "level": 7,
        "label": "EQF level 7",
    }
    assert item["modes"][0]["uri"] == "http://data.europa.eu/snb/learning-assessment/e92d221e4d"
    assert item["isced_fields"][0]["uri"] == "http://data.europa.eu/snb/isced-f/0413"


def test_list_items_link_to_the_course_itself(client):
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    [item] = [
        item
        for item in client.get(LIST, {"q": "Digitales Marketing"}).json()["results"]
        if item["id"] == opportunity.pk
    ]
    assert opportunity.homepage and item["homepage"] == opportunity.homepage


def test_detail_has_every_descriptor(client):
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    data = client.get(detail_url(opportunity.pk)).json()
    assert data["title"] == "Digitales Marketing im Handel"
    assert data["nqf_level"]["uri"] == "http://data.europa.eu/snb/qdr/c_6919ed25"
    assert data["outcomes"][0]["skills"][0]["uri"].startswith("http://data.europa.eu/esco/skill/")
    assert data["assessments"][0]["assessment_type"]["label"] == "project work"
    (edition,) = data["editions"]
    assert edition["fee_amount"] == "690.00" and edition["currency"]["code"] == "EUR"
    assert edition["duration"] and edition["learning_schedule"]
    assert data["completeness"]["score"] == 100
    for name in (
        "entry_requirements",
        "credential_type",
        "quality_assurance_type",
        "integration_options",
        "awarding_bodies",
    ):
        assert data[name], name


def test_drafts_are_not_public(client):
    draft = LearningOpportunity.objects.get(provider_reference="CIMEA-DRAFT")
    response = client.get(detail_url(draft.pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "No LearningOpportunity matches the given query."}


def test_conditional_get(client):
    opportunity = LearningOpportunity.objects.published().first()
    first = client.get(detail_url(opportunity.pk))
    assert first["Cache-Control"] == "public, max-age=60"
    etag, modified = first["ETag"], first["Last-Modified"]
    assert (
        client.get(detail_url(opportunity.pk), headers={"if-none-match": etag}).status_code == 304
    )
    assert (
        client.get(detail_url(opportunity.pk), headers={"if-modified-since": modified}).status_code
        == 304
    )
    opportunity.title = "Renamed"
    opportunity.save()
    again = client.get(detail_url(opportunity.pk), headers={"if-none-match": etag})
    assert again.status_code == 200 and again.json()["title"] == "Renamed"


def test_a_record_missing_from_the_change_log_is_versioned_by_its_own_timestamp(client):
    """Records loaded by a raw fixture have no change log entry: they still get validators."""
    opportunity = LearningOpportunity.objects.published().first()
    CatalogueChange.objects.filter(opportunity_id=opportunity.pk).delete()
    first = client.get(detail_url(opportunity.pk))
    assert first.status_code == 200
    assert first["Last-Modified"] == http_date(int(opportunity.modified.timestamp()))
    conditional = client.get(detail_url(opportunity.pk), headers={"if-none-match": first["ETag"]})
    assert conditional.status_code == 304


def test_cursor_harvest_returns_every_published_record_once(client):
    seen, url = [], LIST + "?cursor=start&page_size=7"
    while url:
        response = client.get(url)
        body = response.json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
        if url:
            assert f'<{url}>; rel="next"' in response["Link"]
    assert seen == sorted(LearningOpportunity.objects.published().values_list("pk", flat=True))


def test_modified_since(client):
    recent = make_opportunity(title="Fresh course")
    # The same search without the parameter first: its cached answer must not be reused.
    assert client.get(LIST).json()["count"] > 1
    body = client.get(LIST, {"modified_since": recent.modified.isoformat()}).json()
    assert [item["id"] for item in body["results"]] == [recent.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": "500"}, "page_size"),
        ({"page": "two"}, "page"),
        ({"page": "0"}, "page"),
        ({"sort": "price"}, "sort"),
        ({"eqf": [str(level) for level in range(60)]}, "eqf"),
        ({"cursor": "%%%"}, "cursor"),
        ({"modified_since": "yesterday"}, "modified_since"),
        ({"facets": "maybe"}, "facets"),
    ],
)
def test_bad_parameters_are_400_with_field_errors(client, params, field):
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("params", "unknown"),
    [
        ({"eqf": "abc"}, "'abc'"),
        ({"eqf": ["6", "99"]}, "'99'"),
        ({"isced": "0123"}, "'0123'"),
        ({"skill": "no-such-skill"}, "'no-such-skill'"),
        ({"provider": "abc"}, "'abc'"),
        ({"language": "XX"}, "'XX'"),
    ],
)
def test_a_value_no_vocabulary_has_is_an_error_not_an_empty_answer(client, params, unknown):
    """A partner must tell a typo from "nothing matches"."""
    response = client.get(LIST, params)
    assert response.status_code == 400
    (field,) = params
    assert response.json()[field] == [f"Unknown value: {unknown}."]


def test_a_known_value_that_no_record_has_is_an_empty_answer(client):
    response = client.get(LIST, {"eqf": "1"})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_errors_are_json(client, settings):
    assert client.get("/api/v1/no-such-endpoint/").json() == {"detail": "Not found."}
    response = client.post(reverse("api:eqf-levels"), {})
    assert response.status_code == 405
    assert response.json()["detail"] == 'Method "POST" not allowed.'


def test_cors_allows_any_origin_to_read(client):
    response = client.get(LIST, headers={"origin": "https://portal.example.eu"})
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_page_script_of_another_origin_may_revalidate_and_follow_the_pages(client):
    origin = "https://portal.example.eu"
    preflight = client.options(
        LIST,
        headers={
            "origin": origin,
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match, if-modified-since",
        },
    )
    allowed = preflight["Access-Control-Allow-Headers"].split(", ")
    assert {"if-none-match", "if-modified-since"} <= set(allowed)
    exposed = client.get(LIST, headers={"origin": origin})["Access-Control-Expose-Headers"]
    assert {"ETag", "Last-Modified", "Link"} <= set(exposed.split(", "))


def test_anonymous_clients_are_throttled(client, monkeypatch):
    from django.core.cache import cache

    from catalogue.api.throttles import AnonymousRateThrottle

    cache.clear()
    monkeypatch.setattr(AnonymousRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [client.get(reverse("api:eqf-levels")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "throttled" in client.get(reverse("api:eqf-levels")).json()["detail"]
    cache.clear()


def test_taxonomy_endpoints(client):
    tree = client.get(reverse("api:isced-fields")).json()
    assert len(tree) == 11 and tree[6]["children"][0]["children"][0]["code"] == "0610"
    assert len(client.get(reverse("api:eqf-levels")).json()) == 8
    skills = client.get(reverse("api:esco-skills"), {"q": "photo"}).json()["results"]
    assert skills[0]["label"].startswith("photo")
    modes = client.get(reverse("api:vocabularies"), {"scheme": "learning-assessment"}).json()
    assert {item["code"] for item in modes["results"]} >= {"920fbb3cbe", "e92d221e4d"}
    assert client.get(reverse("api:vocabularies"), {"scheme": "nope"}).status_code == 400
    qnq = [
        level
        for level in client.get(reverse("api:nqf-levels")).json()
        if level["framework"].startswith("Italian")
    ]
    assert len(qnq) == 8


def test_changes_feed_replays_to_an_identical_copy(client):
    mirror: set[int] = set()
    first = make_opportunity(title="Feed course one")
    second = make_opportunity(title="Feed course two")
    draft = make_opportunity(title="Feed draft", status="draft")
    third = make_opportunity(title="Feed course three")
    second.status = "archived"
    second.save()
    first.delete()
    url = reverse("api:changes") + "?limit=5"
    served = []
    while url:
        body = client.get(url).json()
        for change in body["results"]:
            served.append(change)
            # Replayed later, an entry may name a record that a later entry removes: a
            # harvester fetches it then, and the later entry says what became of it.
            if change["kind"] in ("created", "updated"):
                if client.get(detail_url(change["opportunity"])).status_code == 200:
                    mirror.add(change["opportunity"])
            else:
                mirror.discard(change["opportunity"])
        url = body["next"]
    assert mirror == set(LearningOpportunity.objects.published().values_list("pk", flat=True))
    assert draft.pk not in mirror
    assert [c["kind"] for c in served if c["opportunity"] == draft.pk] == [
        "unpublished",
        "unpublished",
    ]
    assert [c["kind"] for c in served if c["opportunity"] == second.pk][-1] == "unpublished"
    # Served again after a record changed status, every entry reads as it did the first time.
    third.status = "archived"
    third.save()
    again = client.get(reverse("api:changes"), {"limit": len(served)}).json()["results"]
    assert again == served


def test_openapi_schema_documents_filters_and_is_served_locally(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    parameters = {
        parameter["name"]
        for parameter in schema["paths"]["/api/v1/learning-opportunities/"]["get"]["parameters"]
    }
    assert {"q", "eqf", "isced", "skill", "ects", "cursor", "modified_since"} <= parameters
    docs = client.get(reverse("api:docs")).text
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_openapi_schema_documents_each_operations_errors(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    update = paths["/api/v1/learning-opportunities/{id}/"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "429", "500"} <= set(update)
    assert update["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FieldErrors"
    }
    assert update["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "Retry-After" in update["429"]["headers"]
    read = paths["/api/v1/learning-opportunities/{id}/"]["get"]
    assert "304" in read["responses"] and "403" not in read["responses"]
    assert {} in read["security"]  # reads need no token
    assert not any("{format}" in path for path in paths)  # .xml aliases are not operations
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_list_query_count_is_bounded(client, django_assert_max_num_queries, settings):
    settings.OCLO_SEARCH_CACHE = False
    client.get(LIST)
    # 12, and three for the editions a card shows (with their currency and schedule, modes,
    # languages)
    with django_assert_max_num_queries(15):
        client.get(LIST, {"page_size": 100})


def test_a_text_search_answer_reads_no_snippet_or_outcome_it_does_not_show(client, settings):
    settings.OCLO_SEARCH_CACHE = False
    params = {"q": "fotografia"}
    # Built before, as a running server's is: the first search of a process builds the facet
    # snapshot, which reads every outcome's skills.
    facet_index.current()
    with CaptureQueriesContext(connection) as api:
        results = client.get(LIST, params).json()["results"]
    with CaptureQueriesContext(connection) as page:
        cards = client.get(reverse("catalogue:search"), params).content.decode()

    assert results
    read_by_api = " ".join(query["sql"] for query in api.captured_queries)
    assert "ts_headline" not in read_by_api and "learningoutcome" not in read_by_api
    # The page's cards still show the first outcomes.
    assert "You will learn to:" in cards
    assert "learningoutcome" in " ".join(query["sql"] for query in page.captured_queries)


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/changes/" in target.read_text()


def test_dump_command_writes_every_published_record_as_json_lines(tmp_path):
    import gzip
    import json

    from django.core.management import call_command

    from catalogue.api.serializers import OpportunityDetailSerializer

    target = tmp_path / "catalogue.jsonl.gz"
    call_command("dump_catalogue", "--output", str(target))
    with gzip.open(target, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    published = list(LearningOpportunity.objects.published().order_by("pk"))
    assert [record["id"] for record in records] == [o.pk for o in published]
    assert list(records[0]) == OpportunityDetailSerializer.Meta.fields  # the stated order


def test_each_language_of_an_answer_has_its_own_etag(client):
    """Labels are translated: an English copy must not be confirmed as the Italian answer,
    by the client or by a shared cache holding both."""
    opportunity = LearningOpportunity.objects.published().first()
    english = client.get(detail_url(opportunity.pk), headers={"accept-language": "en"})
    italian = client.get(
        detail_url(opportunity.pk),
        headers={"accept-language": "it", "if-none-match": english["ETag"]},
    )
    assert italian.status_code == 200
    assert italian["ETag"] != english["ETag"]
    assert italian.json()["opportunity_type"] != english.json()["opportunity_type"]
    again = client.get(
        detail_url(opportunity.pk),
        headers={"accept-language": "it", "if-none-match": italian["ETag"]},
    )
    assert again.status_code == 304


def test_etag_changes_when_only_a_child_changes(client):
    from descriptors.models import LearningOutcome
    from taxonomies.models import EscoSkill

    opportunity = make_opportunity(title="ETag course")
    outcome = LearningOutcome.objects.create(opportunity=opportunity, title="Do things.")
    first = client.get(detail_url(opportunity.pk))
    outcome.skills.add(EscoSkill.objects.skills().first())  # the opportunity row is untouched
    again = client.get(detail_url(opportunity.pk), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again.json()["outcomes"][0]["skills"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (reverse("api:changes") + "?since=99999999999999999999999", "since"),
        (LIST + "?cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "cursor"),
    ],
)
def test_out_of_range_numbers_are_400(client, url, field):
    response = client.get(url)
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize("pk", [2**63, 10**30])
def test_ids_beyond_the_database_range_are_404(client, pk):
    response = client.get(f"{LIST}{pk}/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_server_errors_are_json(client, monkeypatch):
    from catalogue.api import opportunities

    def broken(**kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(opportunities, "opportunity_version", broken)
    client.raise_request_exception = False
    response = client.get(detail_url(1))
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error. It has been logged."}


def test_xml_search_pages_link_to_the_next(client):
    url = reverse("api:opportunity-list-format", kwargs={"format": "xml"})
    first = client.get(url, {"page_size": 10, "sort": "title"})
    assert first["Content-Type"] == "application/xml"
    assert 'rel="next"' in first["Link"] and "page=2" in first["Link"]
    harvest = client.get(url, {"page_size": 10, "cursor": "start"})
    assert 'rel="next"' in harvest["Link"] and "cursor=" in harvest["Link"]


def test_a_page_past_the_last_links_back_to_the_last(client):
    at_six = client.get(LIST, {"eqf": "6", "page_size": 2}).json()
    last = -(-at_six["count"] // 2)
    past = client.get(LIST, {"eqf": "6", "page_size": 2, "page": last + 5})
    assert past.status_code == 200 and past.json()["results"] == []
    assert f"page={last}&" in past.json()["previous"]
    assert client.get(past.json()["previous"]).json()["results"]
