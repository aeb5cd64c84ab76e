"""An opportunity's admin page saves as it is shown (the form posted back as a browser would
post it, blank extra forms included). The browser suite does the same in Chromium."""

import lxml.html
import pytest
from django.urls import reverse

from descriptors.forms import LangStringField
from descriptors.models import LearningOpportunity

pytestmark = pytest.mark.django_db


def form_as_posted(html: str) -> dict[str, list[str]]:
    form = lxml.html.fromstring(html).get_element_by_id("learningopportunity_form")
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


@pytest.mark.usefixtures("demo_catalogue")
def test_an_unchanged_opportunity_saves(admin_client):
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    url = reverse("admin:descriptors_learningopportunity_change", args=[opportunity.pk])
    data = form_as_posted(admin_client.get(url).content.decode())
    assert data["outcomes-TOTAL_FORMS"] != data["outcomes-INITIAL_FORMS"]  # a blank extra form
    outcomes = list(opportunity.outcomes.values_list("title", flat=True))
    response = admin_client.post(url, {**data, "_save": "Save"})
    assert response.status_code == 302  # to the list: saved, no "This field is required."
    assert list(opportunity.outcomes.values_list("title", flat=True)) == outcomes


@pytest.mark.parametrize(
    ("initial", "data", "changed"),
    [
        ({}, "", False),
        (None, "", False),
        ({}, None, False),
        ({"it": "testo"}, "it: testo", False),
        ({"it": "testo"}, "", True),
        ({}, "it: testo", True),
        ({}, "not a line", True),
    ],
)
def test_no_translations_is_the_same_whether_stored_or_typed(initial, data, changed):
    assert LangStringField().has_changed(initial, data) is changed
