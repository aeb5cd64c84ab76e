import html

import pytest
from django.urls import reverse

from descriptors.models import LearningOpportunity
from taxonomies.models import EqfLevel, EscoSkill, Scheme
from tests.builders import concept, make_opportunity, make_organisation, make_provider_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:descriptors_learningopportunity_changelist")
ADD = reverse("admin:descriptors_learningopportunity_add")


def change_url(opportunity):
    return reverse("admin:descriptors_learningopportunity_change", args=[opportunity.pk])


@pytest.fixture
def two_providers(client):
    provider_a = make_organisation("Provider A")
    provider_b = make_organisation("Provider B", country="ESP")
    own = make_opportunity(provider_a, title="A's own course")
    foreign = make_opportunity(provider_b, title="B's secret draft", status="draft")
    client.force_login(make_provider_user(provider_a))
    return provider_a, provider_b, own, foreign


def test_changelist_shows_only_own_organisation(client, two_providers):
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "A&#x27;s own course" in response.text
    assert "B&#x27;s secret draft" not in response.text


def test_other_provider_records_are_unreachable_by_url(client, two_providers):
    *_, foreign = two_providers
    assert client.get(change_url(foreign)).status_code in (302, 403, 404)
    response = client.post(change_url(foreign), {"title": "hijacked"})
    assert response.status_code in (302, 403, 404)
    delete = reverse("admin:descriptors_learningopportunity_delete", args=[foreign.pk])
    assert client.post(delete, {"post": "yes"}).status_code in (302, 403, 404)
    history = reverse("admin:descriptors_learningopportunity_history", args=[foreign.pk])
    assert client.get(history).status_code in (302, 403, 404)
    foreign.refresh_from_db()
    assert foreign.title == "B's secret draft"


def test_other_provider_is_not_offered_and_cannot_be_posted(client, two_providers):
    provider_a, provider_b, own, _ = two_providers
    form = client.get(ADD).context["adminform"].form
    assert list(form.fields["provider"].queryset) == [provider_a]
    response = client.post(change_url(own), {**admin_post_data(own), "provider": provider_b.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors["provider"])
    own.refresh_from_db()
    assert own.provider == provider_a


def test_bulk_delete_action_cannot_reach_other_records(client, two_providers):
    *_, own, foreign = two_providers
    client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [own.pk, foreign.pk], "post": "yes"},
    )
    assert LearningOpportunity.objects.filter(pk=foreign.pk).exists()


def admin_post_data(opportunity=None, **overrides) -> dict:
    """The POST body of the opportunity change form with empty inlines."""
    data = {
        "status": "draft",
        "title": "Data analysis with Python",
        "default_language": concept(Scheme.LANGUAGE, "ENG").pk,
        "languages": [concept(Scheme.LANGUAGE, "ENG").pk],
        "isced_fields": ["0542"],
    }
    if opportunity is not None:
        data["provider"] = opportunity.provider_id
        data["title"] = opportunity.title
    for prefix in ("translations", "editions", "outcomes", "assessments", "activities", "grants"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(overrides)
    return data


def test_admin_round_trip_saves_a_complete_opportunity(client):
    """Long on purpose: one form as a provider fills it, every descriptor at once, then every
    saved value read back; split, it would no longer show that the whole form saves."""
    provider = make_organisation("Politecnico di Milano")
    user = make_provider_user(provider, username="polimi-editor")
    client.force_login(user)
    skills = list(EscoSkill.objects.skills().order_by("preferred_label")[:2])
    english, italian = concept(Scheme.LANGUAGE, "ENG"), concept(Scheme.LANGUAGE, "ITA")
    data = admin_post_data(
        provider=provider.pk,
        status="published",
        provider_reference="POK-PY-1",
        description="Learn to analyse data with Python.",
        opportunity_type=concept(Scheme.LEARNING_OPPORTUNITY_TYPE, "17744a2647").pk,
        homepage="https://www.pok.polimi.it/",
        awarding_bodies=[provider.pk],
        languages=[english.pk, italian.pk],
        workload_hours=50,
        ects_credits="2",
        credit_system=concept(Scheme.CREDIT_SYSTEM, "6fcec5c5af").pk,
        modes=[concept(Scheme.MODE, "920fbb3cbe").pk],
        eqf_level=EqfLevel.objects.get(level=5).pk,
        quality_assurance_type=concept(Scheme.QUALITY_ASSURANCE, "internal-hei").pk,
        **{
            "translations-TOTAL_FORMS": 1,
            "translations-0-language": italian.pk,
            "translations-0-title": "Analisi dei dati con Python",
            "editions-TOTAL_FORMS": 2,
            "editions-0-reference": "2026",
            "editions-0-status": "finished",
            "editions-0-is_published": "on",
            "editions-0-start_date": "2026-01-12",
            "editions-0-end_date": "2026-02-27",
            "editions-0-is_free": "on",
            "editions-1-reference": "2027",
            "editions-1-status": "open",
            "editions-1-start_date": "2027-01-11",
            "editions-1-fee_amount": "120",
            "editions-1-currency": concept(Scheme.CURRENCY, "EUR").pk,
            "editions-1-places": 30,
            "editions-1-modes": [concept(Scheme.MODE, "e92d221e4d").pk],
            "outcomes-TOTAL_FORMS": 2,
            "outcomes-0-position": 1,
            "outcomes-0-title": "Write Python programs that clean tabular data.",
            "outcomes-0-title_translations": "it: Scrivere programmi Python",
            "outcomes-0-skills": [skills[0].pk, skills[1].pk],
            "outcomes-1-position": 2,
            "outcomes-1-title": "Present findings with charts.",
            "assessments-TOTAL_FORMS": 1,
            "assessments-0-title": "Final notebook",
            "assessments-0-assessment_type": concept(Scheme.ASSESSMENT_TYPE, "2939dae15f").pk,
            "assessments-0-supervision": concept(Scheme.SUPERVISION, "unsupervised-no-id").pk,
            "activities-TOTAL_FORMS": 1,
            "activities-0-title": "Video lectures",
            "activities-0-activity_type": concept(Scheme.ACTIVITY_TYPE, "bf2e3a7bae").pk,
            "activities-0-hours": 30,
            "grants-TOTAL_FORMS": 1,
            "grants-0-title": "Lombardy training voucher",
            "grants-0-homepage": "https://example.org/voucher",
        },
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    saved = LearningOpportunity.objects.get(provider_reference="POK-PY-1")
    assert saved.provider == provider
    assert saved.translations.get().title == "Analisi dei dati con Python"
    outcomes = list(saved.outcomes.all())
    assert [outcome.title for outcome in outcomes] == [
        "Write Python programs that clean tabular data.",
        "Present findings with charts.",
    ]
    assert outcomes[0].title_translations == {"it": "Scrivere programmi Python"}
    assert set(outcomes[0].skills.all()) == set(skills)
    assert saved.assessments.get().supervision.code == "unsupervised-no-id"
    assert saved.activities.get().hours == 30
    assert saved.grants.get().homepage == "https://example.org/voucher"
    assert set(saved.languages.values_list("code", flat=True)) == {"ENG", "ITA"}
    first, second = saved.editions.order_by("start_date")
    assert (first.reference, first.is_free, first.is_published) == ("2026", True, True)
    assert (second.fee_amount, second.places, second.is_published) == (120, 30, False)
    assert [mode.code for mode in second.effective_modes] == ["e92d221e4d"]
    assert [mode.code for mode in first.effective_modes] == ["920fbb3cbe"]  # the record's

    page = client.get(change_url(saved))
    assert "every mandatory element is filled in" in page.text

    # Who changed what: the history keeps the editor and the old value.
    client.post(
        change_url(saved),
        {**data, "title": "Data analysis with Python, 2nd edition", **inline_ids(saved)},
    )
    history = saved.history.order_by("history_date")
    assert [entry.title for entry in history][-2:] == [
        "Data analysis with Python",
        "Data analysis with Python, 2nd edition",
    ]
    assert history.last().history_user == user


def inline_ids(opportunity) -> dict:
    """The hidden ids an existing inline row posts back when the form is re-submitted."""
    data = {}
    for prefix, rows in (
        ("translations", opportunity.translations.all()),
        ("editions", opportunity.editions.all()),
        ("outcomes", opportunity.outcomes.all()),
        ("assessments", opportunity.assessments.all()),
        ("activities", opportunity.activities.all()),
    ):
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = row.pk
            data[f"{prefix}-{index}-opportunity"] = opportunity.pk
    return data


def test_form_shows_validation_messages_and_workload_warning(client):
    provider = make_organisation()
    client.force_login(make_provider_user(provider))
    response = client.post(
        ADD,
        admin_post_data(
            provider=provider.pk,
            ects_credits="-2",
            eqf_level=9,
            **{
                "editions-TOTAL_FORMS": 1,
                "editions-0-status": "open",
                "editions-0-start_date": "2026-05-10",
                "editions-0-end_date": "2026-05-01",
                "editions-0-fee_amount": "100",
                "outcomes-TOTAL_FORMS": 1,
                "outcomes-0-title": "Outcome",
                "outcomes-0-title_translations": "xx: ?",
            },
        ),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    edition_errors = response.context["inline_admin_formsets"][1].formset.errors[0]
    assert edition_errors["end_date"] == ["The end date cannot be before the start date."]
    assert "greater than or equal to 0" in errors["ects_credits"][0]
    assert edition_errors["currency"] == ["Choose the currency of the fee."]
    assert "Select a valid choice" in errors["eqf_level"][0]  # EQF has levels 1 to 8 only
    assert "'xx' is not a known language code" in html.unescape(response.text)

    response = client.post(
        ADD,
        admin_post_data(provider=provider.pk, ects_credits="5", workload_hours=40),
        follow=True,
    )
    assert "5 ECTS usually means 125-150 hours of work; 40 hours were given." in response.text


def test_skill_autocomplete_searches_alternative_labels(client):
    provider = make_organisation()
    client.force_login(make_provider_user(provider))
    url = reverse("admin:autocomplete")
    query = {"app_label": "descriptors", "model_name": "learningoutcome", "field_name": "skills"}
    response = client.get(url, {**query, "term": "Emacs Lisp"})
    assert response.status_code == 200
    labels = [result["text"] for result in response.json()["results"]]
    assert labels == ["computer programming"]
    prefix_first = client.get(url, {**query, "term": "photo"}).json()["results"]
    assert prefix_first[0]["text"].startswith("photo")
