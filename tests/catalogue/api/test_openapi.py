"""The OpenAPI schema as a partner's tools read it: every operation named and described on its
own, every answer in its real media type, every endpoint present, and a client generated from
it (openapi-python-client, offline) that calls every read operation as generated."""

import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from catalogue.filters import OpportunitySearchFilterSet
from catalogue.models import ApiToken, ElmImport
from catalogue.tokens import api_token_issue
from descriptors.models import Edition, LearningOpportunity, Organisation
from oclo.wsgi import application
from recognition.models import Agreement, Pathway, RecognitionDecision
from taxonomies.esco import esco_import
from taxonomies.models import EscoOccupation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(client) -> dict:
    return client.get(reverse("api:schema"), {"format": "json"}).json()


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def test_every_operation_has_its_own_summary_and_description(schema):
    operations = list(_operations(schema))
    assert len(operations) >= 44
    for method, path, operation in operations:
        assert 10 <= len(operation.get("summary", "")) <= 60, (method, path)
        assert operation.get("description"), (method, path)
    summaries = Counter(operation["summary"] for _, _, operation in operations)
    descriptions = Counter(operation["description"] for _, _, operation in operations)
    assert [text for text, count in summaries.items() if count > 1] == []
    assert [text for text, count in descriptions.items() if count > 1] == []


def test_answers_in_standard_formats_are_described_as_what_they_are(schema):
    paths = schema["paths"]
    detail = paths["/api/v1/learning-opportunities/{id}/"]["get"]["responses"]["200"]["content"]
    assert detail["application/xml"]["schema"]["type"] == "string"
    # ELM JSON-LD is a graph of learning opportunities (one per published edition).
    elm = detail["application/ld+json"]["schema"]
    assert elm["properties"]["@graph"]["items"]["properties"]["type"]["enum"] == [
        "LearningOpportunity"
    ]
    ob3 = next(media for media in detail if "profile=" in media)
    assert "criteria" in detail[ob3]["schema"]["required"]
    search = paths["/api/v1/learning-opportunities/"]["get"]["responses"]["200"]["content"]
    assert set(search) == {"application/json", "application/xml", "application/ld+json", "text/csv"}
    assert search["application/ld+json"]["schema"] == elm  # the same graph, of the page
    assert search["text/csv"]["schema"]["type"] == "string"
    # Writes answer JSON only, whatever formats the reads of the same path offer.
    for method in ("put", "patch"):
        answer = paths["/api/v1/learning-opportunities/{id}/"][method]["responses"]["200"]
        assert set(answer["content"]) == {"application/json"}
    harvest = paths["/api/v1/dataset/withdrawals.xml"]["get"]["responses"]["200"]["content"]
    assert set(harvest) == {"application/atom+xml"}


# What the search reads besides its filters: paging, harvesting, facet counts, the format.
SEARCH_PAGING = {"page", "page_size", "cursor", "facets", "format"}


def test_every_search_parameter_is_documented_from_the_filterset_that_parses_it(schema):
    """The search's filters are the FilterSet's (the search page's too): each is in the schema
    with its description, its choices as the enum, a facet's values as a repeated parameter."""
    operation = schema["paths"]["/api/v1/learning-opportunities/"]["get"]
    documented = {
        parameter["name"]: parameter
        for parameter in operation["parameters"]
        if parameter["in"] == "query"
    }
    filters = OpportunitySearchFilterSet.base_filters
    assert set(documented) == set(filters) | SEARCH_PAGING
    for name, parameter in documented.items():
        assert parameter.get("description"), name
    for name, search_filter in filters.items():
        parameter = documented[name]
        assert (
            str(search_filter.extra.get("help_text") or search_filter.label)
            in (parameter["description"])
        ), name
        values = parameter["schema"].get("items", parameter["schema"])
        choices = search_filter.extra.get("choices")
        assert set(values.get("enum", [])) == {str(value) for value, _ in choices or []}, name
    assert documented["eqf"]["schema"]["type"] == "array" and documented["eqf"]["explode"]
    assert documented["start_from"]["schema"] == {"type": "string", "format": "date"}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/learning-opportunities/", "/api/v1/esco-occupations/{key}/opportunities/"],
)
def test_paging_is_documented_with_its_bounds(schema, path, settings):
    """A client generated from the schema knows what the API accepts before it asks: the page
    numbers from 1, page sizes from 1 to the maximum."""
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in schema["paths"][path]["get"]["parameters"]
        if parameter["in"] == "query"
    }
    assert parameters["page"]["minimum"] == 1
    assert parameters["page_size"]["minimum"] == 1
    assert parameters["page_size"]["maximum"] == settings.OCLO_API_MAX_PAGE_SIZE


def _api_routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _api_routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def _schema_parameter(match: re.Match) -> str:
    """A route's parameter as the schema names it: ``<id:pk>`` is ``{id}``, others keep
    their names (``<id:edition_pk>`` is ``{edition_pk}``, ``<str:key>`` is ``{key}``)."""
    return "<id>" if match[1] == "pk" else f"<{match[1]}>"


def test_every_endpoint_is_in_the_schema(schema):
    documented = {path.replace("{", "<").replace("}", ">") for path in schema["paths"]}
    served = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", _schema_parameter, route)
        for route in _api_routes(get_resolver())
        if route.startswith("api/v1/")
        and "format" not in route  # .xml/.jsonld/.ob3.json: the Accept header of the paths above
        and not route.endswith(("schema/", "docs/"))
    }
    assert served - documented == set()
    assert "/api/v1/learning-opportunities/import/" in documented


# --- A generated client -------------------------------------------------------------------

# The generator reads JSON and text answers itself; XML and Atom it hands back as bytes when
# told to (a documented option of the generator, not an edit of what it writes).
GENERATOR_CONFIG = """
post_hooks: []
content_type_overrides:
  application/xml: application/octet-stream
  application/atom+xml: application/octet-stream
"""


@pytest.fixture
def generated_client(schema, tmp_path) -> str:
    (tmp_path / "openapi.json").write_text(json.dumps(schema))
    (tmp_path / "config.yaml").write_text(GENERATOR_CONFIG)
    generator = Path(sys.executable).parent / "openapi-python-client"
    subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "config.yaml",
            "--output-path",
            "oclo_client",
            "--meta",
            "none",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=300,
    )
    sys.path.insert(0, str(tmp_path))
    yield "oclo_client"
    sys.path.remove(str(tmp_path))
    for name in [name for name in sys.modules if name.startswith("oclo_client")]:
        del sys.modules[name]


@pytest.fixture
def transaction_kept_open():
    """The client's requests go straight to the WSGI app, not through Django's test client:
    keep Django from closing the connection that holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _path_values() -> dict[str, dict]:
    """A value for each path parameter, by the generated module's name."""
    call_command("load_recognition_demo", "--no-users")
    esco_import(ESCO_SAMPLE)
    organisation = Organisation.objects.get(name="CIMEA")
    token = ApiToken(organisation=organisation, name="generated client")
    secret = api_token_issue(token=token)
    job = ElmImport.objects.create(organisation=organisation, token=token, content=b"<x/>")
    edition = Edition.objects.filter(
        is_published=True, opportunity__in=LearningOpportunity.objects.published()
    ).order_by("pk")[0]
    return {
        "secret": secret,
        "learning_opportunities_retrieve": {"id": LearningOpportunity.objects.published()[0].pk},
        "learning_opportunities_editions_list": {"id": edition.opportunity_id},
        "learning_opportunities_editions_retrieve": {
            "id": edition.opportunity_id,
            "edition_pk": edition.pk,
        },
        "learning_opportunities_imports_retrieve": {"id": job.pk},
        "providers_retrieve": {"id": organisation.pk},
        "pathways_retrieve": {"id": Pathway.objects.filter(is_published=True)[0].pk},
        "recognition_agreements_retrieve": {"id": Agreement.objects.exclude(status="draft")[0].pk},
        "recognition_decisions_retrieve": {
            "id": RecognitionDecision.objects.filter(is_public=True)[0].pk
        },
        "recognition_check_retrieve": {
            "opportunity": LearningOpportunity.objects.published()[0].pk,
            "institution": organisation.pk,
        },
        "esco_occupation": {"key": _occupation_key()},
        "esco_occupation_opportunities": {"key": _occupation_key()},
    }


def _occupation_key() -> str:
    return EscoOccupation.objects.occupations().order_by("preferred_label")[0].key


ESCO_SAMPLE = Path(__file__).parents[2] / "taxonomies" / "data" / "esco_v1.2.0_occupations"


def test_a_generated_client_calls_every_read_operation(generated_client, transaction_kept_open):
    package = importlib.import_module(generated_client)
    values = _path_values()
    transport = httpx.WSGITransport(app=application)
    client = package.AuthenticatedClient(
        base_url="http://testserver", token=values.pop("secret"), prefix="Token"
    ).with_timeout(httpx.Timeout(60))
    client.set_httpx_client(
        httpx.Client(base_url="http://testserver", transport=transport, timeout=60)
    )
    client.get_httpx_client().headers["Authorization"] = f"Token {client.token}"
    api = importlib.import_module(f"{generated_client}.api")
    called = []
    for module_info in pkgutil.walk_packages(api.__path__, f"{generated_client}.api."):
        module = importlib.import_module(module_info.name)
        if not hasattr(module, "sync_detailed"):
            continue
        name = module_info.name.rsplit(".", 1)[1]
        if inspect.getsource(module._get_kwargs).count('"method": "get"') != 1:
            continue
        answer = module.sync_detailed(client=client, **values.get(name, {}))
        assert answer.status_code == 200, (name, answer.content[:300])
        assert answer.parsed is not None, name
        called.append(name)
    schema_reads = [
        (method, path)
        for method, path, _ in _operations(
            json.loads((Path(api.__path__[0]).parent.parent / "openapi.json").read_text())
        )
        if method == "get"
    ]
    assert len(called) == len(schema_reads)
