import html

import pytest
from django.urls import reverse

from descriptors.models import LearningOpportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]


def test_switching_to_italian_translates_labels_vocabularies_dates_and_numbers(client):
    response = client.post(reverse("set_language"), {"language": "it", "next": "/"})
    assert response.status_code == 302
    page = html.unescape(client.get("/").text)
    assert "Cerca micro-credenziali" in page
    assert "Livello EQF" in page  # facet name
    assert "In presenza" in page  # ELM vocabulary label
    assert "Misto (blended)" in page

    dhbw = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    detail = html.unescape(client.get(reverse("catalogue:opportunity-detail", args=[dhbw.pk])).text)
    assert "13 apr 2026" in detail  # date in the visitor's locale, month in lower case
    assert "690\u00a0€" in detail  # Italian currency format
    assert "12 settimane" in detail  # duration in words
    assert "come una laurea triennale" in detail  # EQF hint
    assert "Risultati di apprendimento e competenze ESCO" in detail


def test_english_stays_the_default(client):
    page = client.get("/")
    assert "Search micro-credentials" in page.text
    assert page.headers["Content-Language"] == "en"
