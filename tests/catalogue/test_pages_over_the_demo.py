"""The public pages over the demo catalogue (loaded once for the module): what a first visitor
sees, every descriptor on a detail page, the visitor's language."""

import html
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from descriptors.models import Edition, LearningOpportunity, Organisation
from tests.catalogue.test_pages import LIST, detail_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]


def test_demo_catalogue_covers_what_a_first_visitor_should_see():
    published = LearningOpportunity.objects.published()
    assert published.count() >= 30
    assert Organisation.objects.filter(opportunities__in=published).distinct().count() >= 8
    assert (
        len({o.provider.country.code for o in published.select_related("provider__country")}) >= 5
    )
    assert published.values("languages").distinct().count() >= 6
    assert set(published.values_list("eqf_level", flat=True)) >= {3, 4, 5, 6, 7, 8}
    narrow = {field.code[:3] for o in published for field in o.isced_fields.all()}
    assert len(narrow) >= 10
    assert set(published.values_list("modes__code", flat=True)) >= {
        "920fbb3cbe",
        "e92d221e4d",
        "9191af2ed9",
    }
    editions = Edition.objects.filter(opportunity__in=published)
    assert editions.filter(is_free=True).exists() and editions.filter(fee_amount__gt=0).exists()
    assert editions.filter(any_start_date=True).count() >= 3
    assert editions.filter(opportunity__provider_reference="CIMEA-CE-2026").count() == 7
    for opportunity in published.prefetch_related("outcomes__skills"):
        outcomes = list(opportunity.outcomes.all())
        assert 2 <= len(outcomes) <= 5 or opportunity.provider_reference.startswith("CIMEA")
        assert all(outcome.skills.all() for outcome in outcomes), opportunity.title
    assert published.filter(title="Corso professionale per Credential Evaluator").exists()
    street = published.filter(provider__name="Leica Camera Italia", is_stackable=True)
    assert street.count() == 3


def test_loading_the_demo_twice_updates_instead_of_duplicating():
    count = LearningOpportunity.objects.count()
    call_command("load_demo", "--no-users")
    assert LearningOpportunity.objects.count() == count


def test_list_shows_published_only(client):
    response = client.get(LIST, {"q": "credential evaluators"})
    assert response.status_code == 200
    assert "Professional course for Credential Evaluators" in response.text
    draft_words = client.get(LIST, {"q": "recognition refugees"})
    assert "Recognition of refugees" not in draft_words.text  # a draft
    draft = LearningOpportunity.objects.get(provider_reference="CIMEA-DRAFT")
    assert client.get(detail_url(draft)).status_code == 404


def test_detail_page_shows_every_descriptor(client, django_assert_max_num_queries):
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    # 31 for the catalogue's own sections and 1 for the related opportunities, 2 for
    # recognition's (agreements, pathways), 4 for the jobs it prepares for (the skill
    # hierarchy walked up three levels, occupations), 1 for the footer's ESCO version: counted
    # with the cache cold, as the first page a worker renders (an earlier test's page would
    # otherwise have cached the version, and the count would depend on the order).
    cache.clear()
    with django_assert_max_num_queries(39):
        response = client.get(detail_url(opportunity))
    text = re.sub(r"<[^>]+>", "", html.unescape(response.text))
    expected = [
        "Digitales Marketing im Handel",  # 1 title
        "digitale Marketingstrategie",  # 2 description
        "Programme module",  # 3 type
        "DHBW Heilbronn",  # 4 provided by
        "Higher education institution",  # 6 type of provider
        "Heilbronn and online (Germany)",  # 7 provided at
        "German",  # 8 language
        "13 Apr 2026",  # 9 start date: day first, month in words
        "12 weeks",  # 10 duration, in words
        "Part time intensive",  # 11 schedule
        "150 hours",  # 12 workload
        "Higher-education entrance qualification",  # 14 entry requirements
        "€690",  # 15 fee, in the locale's currency format
        "Blended",  # 16 mode
        "formal learning",
        "5 · European Credit Transfer System",  # 17 ECTS
        "European Digital Credential",  # 18 credential
        "04 Business, administration and law › 041 Business and administration › "
        "0414 Marketing and advertising",  # 19 ISCED-F path
        "EQF level 6 (like a bachelor's degree)",  # 20, with a plain-language hint
        "First cycle (bachelor)",
        "critical understanding of theories and principles",  # EQF descriptor text
        "German Qualifications Framework (DQR) 6",  # 21
        "Eine digitale Marketingstrategie für eine Handelsmarke planen.",  # 22 outcome
        "plan digital marketing",  # 23 ESCO skill
        "Projektarbeit",  # 25 assessment
        "Supervised on site, with identity verification",  # Annex I 13
        "External accreditation",  # Annex I 11
        "Zertifikat Digital Commerce",  # Annex I 15
    ]
    missing = [value for value in expected if value not in text]
    assert not missing
    esco_link = "https://esco.ec.europa.eu/en/classification/skill?uri=http%3A%2F%2Fdata.europa.eu"
    assert esco_link in response.text


def test_detail_page_speaks_the_visitors_language_and_falls_back(client):
    opportunity = LearningOpportunity.objects.get(provider_reference="CIMEA-CE-2026")
    english = client.get(detail_url(opportunity), headers={"accept-language": "en"})
    assert "<h1>Professional course for Credential Evaluators</h1>" in english.text
    italian = client.get(detail_url(opportunity), headers={"accept-language": "it"})
    assert "<h1>Corso professionale per Credential Evaluator</h1>" in italian.text
    german_only = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    fallback = client.get(detail_url(german_only), headers={"accept-language": "it"})
    assert "<h1>Digitales Marketing im Handel</h1>" in fallback.text
