import html
import json
import re

import pytest
from django.urls import reverse

from descriptors.models import LearningOpportunity
from taxonomies.models import EscoSkill

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]


def test_browse_by_field_lands_on_the_filtered_search(client):
    page = client.get(reverse("catalogue:browse-fields"))
    assert page.status_code == 200
    assert 'href="/?isced=02"' in page.text
    assert 'href="/?isced=0211"' in page.text  # the tree goes down to detailed fields
    leica = client.get("/?isced=0211").context["result"]
    assert {o.provider.name for o in leica.opportunities} == {"Leica Camera Italia"}


def test_browse_by_level_shows_descriptors_and_counts(client):
    page = client.get(reverse("catalogue:browse-levels"))
    text = html.unescape(page.text)
    assert "critical understanding of theories and principles" in text
    six = LearningOpportunity.objects.published().filter(eqf_level=6).count()
    assert re.search(rf'href="/\?eqf=6">EQF level 6</a> <span class="count">{six}</span>', text)
    # A level no record has is described, but leads to no empty search.
    assert not LearningOpportunity.objects.published().filter(eqf_level=1).exists()
    assert "<h2>EQF level 1 <span" in text and 'href="/?eqf=1"' not in text


def test_browse_by_provider(client):
    page = client.get(reverse("catalogue:browse-providers"))
    assert "Vytautas Magnus University" in page.text
    assert "Synthetic" not in page.text


def test_skill_page_shows_what_teaches_it_and_its_neighbours(client):
    photography = EscoSkill.objects.get(preferred_label="photography")
    page = client.get(reverse("catalogue:browse-skill", args=[photography.key]))
    text = html.unescape(page.text)
    assert "2 learning opportunities teach this" in text
    assert f'href="/?skill={photography.key}"' in text
    broader = photography.broader.first()
    assert f'href="/browse/skills/{broader.key}/"' in text
    assert client.get(reverse("catalogue:browse-skill", args=["no-such-skill"])).status_code == 404


def test_skill_index_searches_all_of_esco(client):
    page = client.get(reverse("catalogue:browse-skills"), {"skill_term": "lenses"})
    assert "photographic lenses" in page.text


def test_detail_has_schema_org_course_and_related_opportunities(client):
    opportunity = LearningOpportunity.objects.get(provider_reference="LEICA-SP-2")
    page = client.get(reverse("catalogue:opportunity-detail", args=[opportunity.pk]))
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    course = json.loads(match.group(1))
    assert course["@type"] == "Course"
    assert course["name"] == "Street photography: report and technique"  # the page's language
    assert course["provider"]["name"] == "Leica Camera Italia"
    assert course["numberOfCredits"]["value"] == 2
    assert course["offers"][0]["price"] == 290
    assert "perform image editing" in course["teaches"]
    related = [o.provider_reference for o in page.context["related"]]
    assert set(related[:2]) == {"LEICA-SP-1", "LEICA-SP-3"}  # shared skills and field first
