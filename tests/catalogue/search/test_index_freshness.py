"""Edits, unpublishing and deletes show up in search and counts at once, without a restart."""

import pytest
from django.urls import reverse

from catalogue.models import CatalogueChange
from catalogue.search import facet_index, indexing
from descriptors.models import LearningOutcome
from taxonomies.models import EscoSkill
from tests.builders import make_opportunity

pytestmark = pytest.mark.django_db

SEARCH = reverse("catalogue:search")


def totals(client, **params) -> int:
    return client.get(SEARCH, params).context["result"].total


def test_edits_reach_search_and_counts_immediately(client):
    opportunity = make_opportunity(complete=True, title="Beekeeping for beginners")
    assert totals(client, q="beekeeping") == 1
    eqf_before = totals(client, eqf="6")

    opportunity.title = "Urban beekeeping"
    opportunity.eqf_level_id = 4
    opportunity.save()
    assert totals(client, q="urban") == 1
    assert totals(client, eqf="6") == eqf_before - 1

    opportunity.status = "archived"
    opportunity.save()
    assert totals(client, q="beekeeping") == 0

    opportunity.status = "published"
    opportunity.save()
    assert totals(client, q="beekeeping") == 1
    opportunity.delete()
    assert totals(client, q="beekeeping") == 0


def test_a_skill_added_to_an_outcome_is_searchable_by_its_labels(client):
    opportunity = make_opportunity(title="Apiculture module")
    outcome = LearningOutcome.objects.create(opportunity=opportunity, title="Keep bees.")
    skill = EscoSkill.objects.skills().get(preferred_label="photography")
    assert totals(client, q="photography") == 0
    outcome.skills.add(skill)
    assert totals(client, q="photography") == 1
    assert totals(client, skill=skill.uri.rsplit("/", 1)[-1]) == 1


def test_every_outcome_s_skills_are_searchable_when_they_take_several_queries(client, monkeypatch):
    """The skills of many outcomes are read a slice of outcomes at a time (a query takes a
    bounded number of parameters): none is left out between slices."""
    monkeypatch.setattr(indexing, "OUTCOMES_A_QUERY", 2)
    opportunity = make_opportunity(title="Apiculture module")
    labels = ["photography", "ICT safety", "Italian"]
    for position, label in enumerate(labels):
        outcome = LearningOutcome.objects.create(
            opportunity=opportunity, position=position, title="Keep bees."
        )
        outcome.skills.add(EscoSkill.objects.skills().get(preferred_label=label))
    indexing.search_index_update([opportunity.pk])
    assert [totals(client, q=f'"{label}"') for label in labels] == [1, 1, 1]


def test_one_record_edited_again_and_again_does_not_hide_another_records_edit(client, monkeypatch):
    """The facet snapshot is patched with the records changed since it was built, read from
    the change log up to a bound: a record with many entries must not crowd another out."""
    monkeypatch.setattr(facet_index, "REBUILD_AT_LEAST", 3)
    often = make_opportunity(complete=True, title="Edited often", eqf_level_id=6)
    once = make_opportunity(complete=True, title="Edited once", eqf_level_id=6)
    assert totals(client, eqf="4") == 0  # the snapshot, built now
    for version in range(5):
        often.title = f"Edited often, version {version}"
        often.save()
    once.eqf_level_id = 4
    once.save()
    assert totals(client, eqf="4") == 1


def test_changes_are_logged_in_order():
    """One entry per write, its kind what a harvester must do: a draft is not to be kept, the
    first public version is new, later ones are updates."""
    opportunity = make_opportunity(status="draft")  # two writes: the record, its language
    opportunity.status = "published"
    opportunity.save()
    opportunity.title = "Renamed"
    opportunity.save()
    pk = opportunity.pk
    opportunity.delete()
    kinds = list(CatalogueChange.objects.filter(opportunity_id=pk).values_list("kind", flat=True))
    assert kinds == ["unpublished", "unpublished", "created", "updated", "deleted"]
