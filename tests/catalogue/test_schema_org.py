"""The schema.org markup search engines read, extracted from the pages as a crawler does
(extruct) and checked against Google's documented course requirements."""

import html
import re
from datetime import UTC, datetime

import extruct
import pytest
import time_machine
from django.urls import reverse

from descriptors.models import LearningOpportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

GOOGLE_COURSE_MODES = {"Online", "Onsite", "Blended"}


def assert_google_course(course: dict, where: str) -> None:
    """What Google documents for a course and its instances and offers."""
    assert course["hasCourseInstance"], where
    for instance in course["hasCourseInstance"]:
        assert instance["@type"] == "CourseInstance"
        assert instance.get("courseMode", "Onsite") in GOOGLE_COURSE_MODES, where
    for offer in course.get("offers", []):
        # A paid offer always names its price: Google rejects "Paid" with none.
        assert offer["category"] in {"Free", "Paid"}, where
        if offer["category"] == "Free":
            assert offer["price"] == 0, where
        else:
            assert offer["price"] > 0 and len(offer["priceCurrency"]) == 3, where
    if "numberOfCredits" in course:
        assert course["numberOfCredits"]["@type"] == "QuantitativeValue", where
        assert course["numberOfCredits"]["unitText"] == "ECTS", where


def _jsonld(page, of_type: str) -> list[dict]:
    data = extruct.extract(page.text, base_url="http://testserver/", syntaxes=["json-ld"])
    return [item for item in data["json-ld"] if item.get("@type") == of_type]


def _heading(page) -> str:
    return html.unescape(re.search(r"<h1>(.*?)</h1>", page.text, re.S).group(1)).strip()


@pytest.mark.parametrize("language", ["en", "it"])
def test_every_published_page_describes_its_course_in_the_pages_language(client, language):
    client.cookies["django_language"] = language
    opportunities = LearningOpportunity.objects.published()
    assert opportunities.count() > 20
    for opportunity in opportunities:
        page = client.get(reverse("catalogue:opportunity-detail", args=[opportunity.pk]))
        [course] = _jsonld(page, "Course")
        where = f"{opportunity.provider_reference} ({language})"
        assert course["name"] == _heading(page), where
        assert course["provider"]["name"] == opportunity.provider.name, where
        assert course["url"].endswith(f"/opportunities/{opportunity.pk}/"), where
        assert_google_course(course, where)


def test_a_translated_course_is_titled_in_each_pages_language(client):
    translated = next(
        opportunity
        for opportunity in LearningOpportunity.objects.published().prefetch_related(
            "translations__language"
        )
        if {"en", "it"}
        <= {opportunity.default_language.short_code}
        | {translation.language.short_code for translation in opportunity.translations.all()}
    )
    url = reverse("catalogue:opportunity-detail", args=[translated.pk])
    names = {}
    for language in ("en", "it"):
        client.cookies["django_language"] = language
        [course] = _jsonld(client.get(url), "Course")
        names[language] = course["name"]
        assert names[language] == translated.localized("title", language)
    assert names["en"] != names["it"]


def test_course_modes_and_prices_follow_googles_vocabulary(client):
    online = LearningOpportunity.objects.published().filter(modes__code="920fbb3cbe").first()
    page = client.get(reverse("catalogue:opportunity-detail", args=[online.pk]))
    [course] = _jsonld(page, "Course")
    modes = {instance["courseMode"] for instance in course["hasCourseInstance"]}
    assert modes & {"Online", "Blended"}
    # On 1 December 2026 Leica's first course has two editions to come, each at 290 euros.
    leica = LearningOpportunity.objects.get(provider_reference="LEICA-SP-1")
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=UTC)):
        page = client.get(reverse("catalogue:opportunity-detail", args=[leica.pk]))
    [course] = _jsonld(page, "Course")
    paid = {"@type": "Offer", "category": "Paid", "price": 290.0, "priceCurrency": "EUR"}
    assert course["offers"] == [paid, paid]
    assert [instance["startDate"] for instance in course["hasCourseInstance"]] == [
        "2027-03-01",
        "2028-10-02",
    ]


def test_search_page_lists_its_results_in_order(client):
    page = client.get(reverse("catalogue:search"), {"sort": "title", "page": 2})
    [item_list] = _jsonld(page, "ItemList")
    results = page.context["result"].opportunities
    assert [element["position"] for element in item_list["itemListElement"]] == list(
        range(21, 21 + len(results))
    )
    assert [element["url"] for element in item_list["itemListElement"]] == [
        f"http://testserver{reverse('catalogue:opportunity-detail', args=[o.pk])}" for o in results
    ]
    empty = client.get(reverse("catalogue:search"), {"q": "zzzznothingmatches"})
    assert _jsonld(empty, "ItemList") == []


def test_a_course_with_a_grant_says_so_to_search_engines(client):
    photovoltaic = LearningOpportunity.objects.get(title__startswith="Installazione e manutenzione")
    page = client.get(reverse("catalogue:opportunity-detail", args=[photovoltaic.pk]))
    [course] = _jsonld(page, "Course")
    assert course["financialAidEligible"] == ["Dote Unica Lavoro – Regione Lombardia"]
    python = LearningOpportunity.objects.get(title="Data analysis with Python: first steps")
    page = client.get(reverse("catalogue:opportunity-detail", args=[python.pk]))
    [course] = _jsonld(page, "Course")
    assert "financialAidEligible" not in course
