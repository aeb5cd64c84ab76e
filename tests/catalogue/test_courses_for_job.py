"""Courses for a job: an occupation's missing skills rank the opportunities that teach them,
every search filter applies, a path covers the essential skills, and opportunity pages name
the occupations they serve."""

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction

from descriptors.models import LearningOpportunity
from taxonomies.esco import esco_import
from taxonomies.models import EscoSkill, Scheme
from tests.builders import EDITION_FIELDS, concept, make_opportunity

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent.parent / "taxonomies" / "data" / "esco_v1.2.0_occupations"
DEVELOPER = "f2b15a0e-e65a-438a-affb-29b9d50b77d1"
JOURNALIST = "a47f82d3-4cf7-4abf-bb36-2c8cbad28234"
PROGRAMMING = "21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
TEAMWORK = "60c78287-22eb-4103-9c8c-28deaa460da0"
DATA_ANALYSIS = "2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f"


def _course(title: str, skills: list[str], **values) -> LearningOpportunity:
    status = values.pop("status", LearningOpportunity.Status.PUBLISHED)
    edition = {name: values.pop(name) for name in EDITION_FIELDS & set(values)}
    opportunity = make_opportunity(complete=True, title=title, status=status, **edition)
    for name, value in values.items():  # after make_opportunity's own complete values
        setattr(opportunity, name, value)
    outcome = opportunity.outcomes.get()
    outcome.skills.set(
        EscoSkill.objects.filter(uri__in=[f"http://data.europa.eu/esco/skill/{k}" for k in skills])
    )
    opportunity.save()  # logs the change, so the search index sees the new skills
    return opportunity


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The occupations and the courses, built once for the module (the ESCO import takes
    seconds) in a transaction rolled back after it: the tests only read them."""
    with django_db_blocker.unblock(), transaction.atomic():
        esco_import(SAMPLE)
        courses = {
            "python": _course("Python bootcamp", [PROGRAMMING], fee_amount=Decimal(300)),
            "teams": _course("Teamwork basics", [TEAMWORK], is_free=True, ects_credits=2),
            "data": _course("Data analysis with R", [DATA_ANALYSIS]),
            "full": _course("Full stack in Italian", [PROGRAMMING, TEAMWORK], ects_credits=10),
        }
        italian = concept(Scheme.LANGUAGE, "ITA")
        courses["full"].languages.set([italian])
        courses["full"].default_language = italian
        courses["full"].save()
        _course("Unpublished Python", [PROGRAMMING], status=LearningOpportunity.Status.DRAFT)
        yield courses
        transaction.set_rollback(True)


def _api(client, key=DEVELOPER, **params):
    response = client.get(f"/api/v1/esco-occupations/{key}/opportunities/", params)
    assert response.status_code == 200, response.content
    return response.json()


def _titles(answer) -> list[str]:
    return [match["opportunity"]["title"] for match in answer["results"]]


def _covers(answer) -> dict[str, tuple[list[str], list[str]]]:
    return {
        match["opportunity"]["title"]: (
            [skill["label"] for skill in match["essential"]],
            [skill["label"] for skill in match["optional"]],
        )
        for match in answer["results"]
    }


def test_ranked_by_missing_essential_then_optional_skills_with_what_each_covers(client, catalogue):
    answer = _api(client)

    assert _titles(answer) == [
        "Full stack in Italian",
        "Python bootcamp",
        "Teamwork basics",
        "Data analysis with R",
    ]
    assert _covers(answer)["Full stack in Italian"] == (
        ["computer programming", "work in teams"],
        [],
    )
    assert _covers(answer)["Data analysis with R"] == ([], ["perform data analysis"])
    assert [need["skill"]["label"] for need in answer["needs"] if need["essential"]] == [
        "computer programming",
        "work in teams",
    ]


def test_skills_already_held_no_longer_count(client, catalogue):
    answer = _api(client, have=PROGRAMMING)

    assert _titles(answer) == ["Full stack in Italian", "Teamwork basics", "Data analysis with R"]
    assert _covers(answer)["Full stack in Italian"] == (["work in teams"], [])
    held = {need["skill"]["label"]: need["held"] for need in answer["needs"]}
    assert held["computer programming"] is True


def test_every_search_filter_applies_and_facets_count_the_teaching_courses(client, catalogue):
    answer = _api(client, language="ITA")
    assert _titles(answer) == ["Full stack in Italian"]

    languages = next(facet for facet in answer["facets"] if facet["facet"] == "language")
    counts = {value["value"]: value["count"] for value in languages["values"]}
    assert counts == {"ENG": 3, "ITA": 1}  # the language facet ignores its own selection
    assert _titles(_api(client, price="free")) == ["Teamwork basics"]
    assert _titles(_api(client, q="bootcamp")) == ["Python bootcamp"]


def test_a_skill_counts_through_its_narrower_skills(client, catalogue):
    # The journalist needs "digital content creation"; "computer programming" is below it.
    answer = _api(client, key=JOURNALIST)

    assert _titles(answer) == ["Full stack in Italian", "Python bootcamp"]
    assert _covers(answer)["Python bootcamp"] == (["digital content creation"], [])


def test_build_a_path_covers_the_missing_essential_skills_with_totals(client, catalogue):
    path = _api(client, path="true")["path"]
    assert [step["opportunity"]["title"] for step in path["steps"]] == ["Full stack in Italian"]
    assert (Decimal(path["ects"]), path["hours"], path["uncovered"]) == (Decimal(10), 125, [])

    path = _api(client, path="true", language="ENG")["path"]
    assert [step["opportunity"]["title"] for step in path["steps"]] == [
        "Python bootcamp",
        "Teamwork basics",
    ]
    assert Decimal(path["ects"]) == Decimal(7)
    assert path["hours"] == 250
    assert {currency: Decimal(amount) for currency, amount in path["prices"].items()} == {}
    assert path["unknown_price"] == 1  # the bootcamp's fee has no currency

    path = _api(client, path="true", price="free")["path"]
    assert [skill["label"] for skill in path["uncovered"]] == ["computer programming"]


def test_bad_parameters_are_refused_with_the_field(client, catalogue):
    response = client.get(
        f"/api/v1/esco-occupations/{DEVELOPER}/opportunities/", {"eqf": "x" * 300}
    )
    assert response.status_code == 400
    assert "eqf" in response.json()
    assert client.get("/api/v1/esco-occupations/nothing/opportunities/").status_code == 404


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def test_the_page_gives_the_api_answer_and_builds_a_path(client, catalogue):
    page = client.get(f"/jobs/{DEVELOPER}/", {"have": PROGRAMMING, "path": "true"})
    assert page.status_code == 200
    text = _text(page)
    assert "Courses for software developer" in text
    assert "3 learning opportunities teach skills you are missing" in text
    assert text.index("Full stack in Italian") < text.index("Data analysis with R")
    assert "A path to this job" in text
    assert f'name="have" value="{PROGRAMMING}" id="have-{PROGRAMMING}" checked' in page.text
    assert "Optional: perform data analysis" in text


def test_the_job_picker_finds_occupations_in_other_languages(client, catalogue):
    page = client.get("/jobs/", {"occupation_term": "giornalista"})
    assert f'href="/jobs/{JOURNALIST}/"' in page.text
    assert "No occupation matches." in client.get("/jobs/", {"occupation_term": "zzzz"}).text
    fragment = client.get("/jobs/suggestions/", {"occupation_term": "sviluppatore"})
    assert "software developer" in fragment.text


def test_the_pickers_examples_are_names_the_visitor_can_type(client, catalogue):
    """The bundle loaded here has Italian occupation names but no German ones: a German
    visitor is shown English examples, which find something, not German ones, which would not."""

    def placeholder(language: str) -> str:
        page = client.get(f"/{language}/jobs/")
        return re.search(r'id="occupation_term"[^>]*placeholder="([^"]*)"', page.text)[1]

    assert placeholder("it") == "es. giornalista, sviluppatore di software, analista di dati"
    assert placeholder("de") == "z. B. journalist, software developer, data analyst"
    for example in ("giornalista", "journalist"):
        found = client.get("/jobs/", {"occupation_term": example})
        assert "No occupation matches." not in found.text


def test_opportunity_page_lists_the_jobs_it_prepares_for(client, catalogue):
    page = client.get(f"/opportunities/{catalogue['python'].pk}/")
    text = _text(page)
    assert "Jobs it prepares for" in text
    jobs = text[text.index("Jobs it prepares for") :]
    # "journalist" through "digital content creation", which programming is narrower than.
    assert jobs.startswith(
        "Jobs it prepares for ESCO occupations that need skills this opportunity teaches: "
        "journalist 1 essential skill software developer 1 essential skill "
        "data analyst 0 essential skills"
    )


def test_the_job_page_speaks_italian(client, catalogue):
    page = client.get(f"/jobs/{DEVELOPER}/", headers={"accept-language": "it"})
    text = _text(page)
    assert "Corsi per sviluppatore di software" in text  # the Italian ESCO label
    assert "Competenze richieste da questo lavoro" in text
