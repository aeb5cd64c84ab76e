import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from descriptors.completeness import REQUIREMENTS, completeness_scores, opportunity_completeness
from tests.builders import make_opportunity

pytestmark = pytest.mark.django_db


def test_a_complete_opportunity_scores_100():
    report = opportunity_completeness(make_opportunity(complete=True))
    assert report.score == 100
    assert report.is_complete


def test_a_bare_opportunity_lists_what_it_lacks():
    report = opportunity_completeness(make_opportunity())
    missing = {item.key for item in report.missing}
    assert missing == {
        "homepage",
        "awarding_bodies",
        "outcomes",
        "workload",
        "level",
        "assessments",
        "modes",
        "quality_assurance_type",
        "isced_fields",
    }
    assert report.score == round(100 * 2 / len(REQUIREMENTS))
    sources = {item.key: item.source for item in report.missing}
    assert "Annex I 11" in sources["quality_assurance_type"]
    assert "ISCEDFCode" in sources["isced_fields"]


def test_removing_outcomes_makes_it_incomplete_again():
    opportunity = make_opportunity(complete=True)
    opportunity.outcomes.all().delete()
    report = opportunity_completeness(opportunity)
    assert [item.key for item in report.missing] == ["outcomes"]


def test_the_indexer_scores_many_records_as_each_one_alone_in_a_fixed_number_of_queries():
    complete = make_opportunity(complete=True)
    bare = make_opportunity()
    without_outcomes = make_opportunity(complete=True)
    without_outcomes.outcomes.all().delete()
    without_languages = make_opportunity(complete=True)
    without_languages.languages.clear()
    records = [complete, bare, without_outcomes, without_languages]

    with CaptureQueriesContext(connection) as queries:
        scores = completeness_scores([record.pk for record in records])

    assert scores == {record.pk: opportunity_completeness(record).score for record in records}
    assert len(set(scores.values())) == 3  # complete, bare, one thing missing
    assert len(queries) == 1 + 6  # the records, then one query per relation scored
