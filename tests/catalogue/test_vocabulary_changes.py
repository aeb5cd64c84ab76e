"""A vocabulary's changed labels reach every record that shows them, whoever changed them (the
admin, a reloaded fixture, a new ESCO release): the records are found by a skill's new name,
and their cached answers, ETags and facet labels move on."""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from django.urls import reverse

from catalogue.models import CatalogueChange
from descriptors.models import LearningOutcome
from taxonomies.esco import esco_import
from taxonomies.loaders import load_nuts
from taxonomies.models import Concept, EscoSkill, EscoSkillLabel, Scheme
from tests.builders import make_opportunity

pytestmark = pytest.mark.django_db

SEARCH = reverse("catalogue:search")
ESCO_SAMPLE = Path(__file__).parents[1] / "taxonomies" / "data" / "esco_sample"
PROGRAMMING = "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"


def detail_url(opportunity) -> str:
    return reverse("api:opportunity-detail", args=[opportunity.pk])


def found(client, text: str) -> int:
    return client.get(SEARCH, {"q": text}).context["result"].total


def skill_labels(response) -> list[str]:
    return [
        skill["label"] for outcome in response.json()["outcomes"] for skill in outcome["skills"]
    ]


def facet_labels(client, key: str) -> set[str]:
    facets = client.get(SEARCH).context["result"].facets
    return {value.label for facet in facets if facet.key == key for value in facet.values}


def with_skill(skill: EscoSkill, **values):
    opportunity = make_opportunity(**values)
    outcome = LearningOutcome.objects.create(opportunity=opportunity, title="Keep bees.")
    outcome.skills.add(skill)
    return opportunity


def test_a_skill_renamed_in_the_admin_is_searched_and_served_by_its_new_name(admin_client, client):
    skill = EscoSkill.objects.skills().get(preferred_label="photography")
    opportunity = with_skill(skill, title="Apiculture module")
    first = client.get(detail_url(opportunity))
    assert "photography" in skill_labels(first)
    assert found(client, "heliography") == 0

    change = admin_client.get(reverse("admin:taxonomies_escoskill_change", args=[skill.pk]))
    form = change.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for formset in change.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data |= {
            f"{formset.formset.prefix}-{name}": management[name].value()
            for name in management.fields
        }
    saved = admin_client.post(
        reverse("admin:taxonomies_escoskill_change", args=[skill.pk]),
        {**data, "preferred_label": "heliography"},
    )
    assert saved.status_code == 302, saved.context["adminform"].form.errors

    assert found(client, "heliography") == 1
    again = client.get(detail_url(opportunity), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert "heliography" in skill_labels(again)


def test_a_label_in_another_language_added_or_removed_finds_the_records_or_stops(client):
    skill = EscoSkill.objects.skills().get(preferred_label="photography")
    with_skill(skill, title="Apiculture module")
    assert found(client, "fotografering") == 0

    label = EscoSkillLabel.objects.create(
        skill=skill, language="sv", preferred_label="fotografering", alt_labels=""
    )
    assert found(client, "fotografering") == 1

    label.delete()
    assert found(client, "fotografering") == 0


def test_a_new_esco_release_renaming_a_skill_refreshes_the_records_naming_it(client, tmp_path):
    esco_import(ESCO_SAMPLE)
    programming = EscoSkill.objects.get(uri=PROGRAMMING)
    naming = with_skill(programming, title="Apiculture module")
    other = make_opportunity(title="Beekeeping without computers")
    other_entries = CatalogueChange.objects.filter(opportunity_id=other.pk).count()
    cached = client.get(detail_url(naming))
    assert found(client, "codecraft") == 0

    for source in ESCO_SAMPLE.iterdir():
        text = source.read_text(encoding="utf-8")
        (tmp_path / source.name).write_text(
            text.replace(",computer programming,", ",computer codecraft,"), encoding="utf-8"
        )
    report = esco_import(tmp_path)

    assert report.records_refreshed == 1
    assert "records showing changed skills: 1 refreshed" in report.summary_lines()
    assert found(client, "codecraft") == 1
    again = client.get(detail_url(naming), headers={"if-none-match": cached["ETag"]})
    assert again.status_code == 200 and "computer codecraft" in skill_labels(again)
    assert CatalogueChange.objects.filter(opportunity_id=other.pk).count() == other_entries


def test_an_unchanged_esco_release_refreshes_no_record(tmp_path):
    esco_import(ESCO_SAMPLE)
    with_skill(EscoSkill.objects.get(uri=PROGRAMMING))
    shutil.copytree(ESCO_SAMPLE, tmp_path / "again")
    entries = CatalogueChange.objects.count()

    assert esco_import(tmp_path / "again").records_refreshed == 0
    assert CatalogueChange.objects.count() == entries


def test_a_relabelled_mode_of_learning_shows_in_the_facets_and_the_record(client):
    opportunity = make_opportunity(complete=True, title="Apiculture module")
    mode = opportunity.modes.get()
    first = client.get(detail_url(opportunity))
    assert mode.label in facet_labels(client, "mode")

    mode.label = "Online, at your own pace"
    mode.save()

    assert "Online, at your own pace" in facet_labels(client, "mode")
    again = client.get(detail_url(opportunity), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert "Online, at your own pace" in str(again.json()["modes"])


def test_a_language_named_only_by_an_edition_moves_that_record_on():
    opportunity = make_opportunity(title="Apiculture module", start_date="2027-03-01")
    edition = opportunity.editions.get()
    irish = Concept.objects.get(scheme=Scheme.LANGUAGE, code="GLE")
    edition.languages.add(irish)
    entries = CatalogueChange.objects.filter(opportunity_id=opportunity.pk).count()

    irish.label = "Irish (Gaeilge)"
    irish.save()

    assert CatalogueChange.objects.filter(opportunity_id=opportunity.pk).count() == entries + 1


def test_a_region_relabelled_by_reloading_the_fixtures_moves_its_records_on(settings, tmp_path):
    shipped = Path(settings.BASE_DIR) / settings.OCLO_TAXONOMY_FIXTURES / "nuts.json"
    document = json.loads(shipped.read_text(encoding="utf-8"))
    code = next(code for code in document["regions"] if len(code) == 4)
    region = Concept.objects.get(scheme=Scheme.NUTS, code=code)
    opportunity = make_opportunity(title="Apiculture module", region=region)
    entries = CatalogueChange.objects.filter(opportunity_id=opportunity.pk).count()
    document["regions"][code] = "A region renamed"
    (tmp_path / "nuts.json").write_text(json.dumps(document), encoding="utf-8")

    load_nuts(tmp_path, Counter())

    assert CatalogueChange.objects.filter(opportunity_id=opportunity.pk).count() == entries + 1
