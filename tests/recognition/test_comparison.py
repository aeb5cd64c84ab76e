"""Decision support: a learning opportunity beside a course of the recognising institution."""

import pytest
from django.urls import reverse

from descriptors.models import LearningOutcome
from recognition.models import TargetCourse
from recognition.selectors import outcome_comparison
from taxonomies.models import EscoSkill
from tests.builders import make_officer, make_opportunity, make_organisation

pytestmark = pytest.mark.django_db

PHOTOGRAPHY = "http://data.europa.eu/esco/skill/38509fa4-7c06-4a4b-9622-f521f03c37b8"
CAMERAS = "http://data.europa.eu/esco/skill/3795f2ca-7c0a-4a80-88d9-052c9d1b36c3"
IMAGE_EDITING = "http://data.europa.eu/esco/skill/91ba97f5-7518-4638-b2d2-308996db3cf8"
LIGHTING = "http://data.europa.eu/esco/skill/c39b8441-359e-4cf9-8a52-c5f6dd918813"


def skills(*uris):
    return list(EscoSkill.objects.filter(uri__in=uris))


@pytest.fixture
def pair(parties):
    opportunity = parties["opportunities"][0]
    outcome = LearningOutcome.objects.create(
        opportunity=opportunity, title="Compose street photographs with camera and lenses."
    )
    outcome.skills.set(skills(PHOTOGRAPHY, CAMERAS))
    course = TargetCourse.objects.create(
        institution=parties["a"],
        code="AV-FOTO",
        title="Fotografia e linguaggi visivi",
        outcomes="Build a visual narrative.\nEdit and light images for exhibition.",
    )
    course.skills.set(skills(PHOTOGRAPHY, IMAGE_EDITING, LIGHTING))
    return opportunity, course


def test_shared_missing_and_additional_skills(pair):
    opportunity, course = pair
    result = outcome_comparison(opportunity=opportunity, course=course)
    assert [skill.uri for skill in result.shared] == [PHOTOGRAPHY]
    assert sorted(skill.uri for skill in result.missing) == sorted([IMAGE_EDITING, LIGHTING])
    assert [skill.uri for skill in result.additional] == [CAMERAS]
    assert result.coverage == 33
    assert result.course_outcomes == [
        "Build a visual narrative.",
        "Edit and light images for exhibition.",
    ]


def test_officer_sees_the_comparison_side_by_side(client, pair, parties):
    opportunity, course = pair
    client.force_login(make_officer(parties["a"]))
    url = reverse("admin:recognition_targetcourse_compare", args=[course.pk])
    # Reached from the course's own page and from the list of courses.
    for page in ("changelist", "change"):
        args = [course.pk] if page == "change" else []
        listing = client.get(reverse(f"admin:recognition_targetcourse_{page}", args=args))
        assert f'href="{url}"' in listing.text
    found = client.get(url, {"q": "shape and content"})
    assert list(found.context["candidates"]) == [opportunity]
    page = client.get(url, {"opportunity": opportunity.pk})
    assert page.status_code == 200
    text = page.text
    shared = text[text.index('class="shared"') : text.index('class="missing"')]
    missing = text[text.index('class="missing"') : text.index('class="additional"')]
    assert "photography" in shared and "cameras" not in shared
    assert "perform image editing" in missing and "lighting techniques" in missing
    assert "33%" in text
    # Another institution's officer cannot open this institution's course.
    client.force_login(make_officer(parties["b"]))
    assert client.get(url, {"opportunity": opportunity.pk}).status_code == 404


def test_outcomes_are_matched_by_meaning_across_languages(client, pair, parties, embedded_skills):
    """With the model: each course outcome beside the opportunity's closest outcome and how
    close they are, whatever the language; a missing skill an outcome states in other words
    is said to be so (it still counts as missing: it is not linked)."""
    opportunity, course = pair
    LearningOutcome.objects.create(
        opportunity=opportunity, title="Ritoccare le fotografie con un software di fotoritocco."
    )
    course.outcomes = "Scattare fotografie di strada.\nModificare e ritoccare immagini digitali."
    course.save()

    result = outcome_comparison(opportunity=opportunity, course=course)

    street, editing = result.outcome_matches
    assert street.opportunity_outcome.title.startswith("Compose street photographs")
    assert editing.opportunity_outcome.title.startswith("Ritoccare le fotografie")
    assert street.is_close and editing.is_close
    said = {skill.preferred_label: match for skill, match in result.covered_in_meaning.items()}
    assert said["perform image editing"].opportunity_outcome.title.startswith("Ritoccare")
    assert "perform image editing" in [skill.preferred_label for skill in result.missing]

    client.force_login(make_officer(parties["a"]))
    url = reverse("admin:recognition_targetcourse_compare", args=[course.pk])
    text = client.get(url, {"opportunity": opportunity.pk}).text
    assert f"{editing.closeness}%" in text
    assert "said in other words by" in text


def test_an_opportunity_the_officer_may_not_see_is_not_found(client, pair, parties):
    """Another provider's draft, an id that names nothing, or no id at all: 404, never 500."""
    _, course = pair
    draft = make_opportunity(make_organisation("Elsewhere"), title="Hidden", status="draft")
    client.force_login(make_officer(parties["a"]))
    url = reverse("admin:recognition_targetcourse_compare", args=[course.pk])
    for chosen in (draft.pk, 999_999, 0, "abc", "-1", "99999999999999999999"):
        assert client.get(url, {"opportunity": chosen}).status_code == 404, chosen
    missing_course = reverse("admin:recognition_targetcourse_compare", args=[999_999])
    assert client.get(missing_course).status_code == 404
