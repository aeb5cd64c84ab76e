import pytest

from descriptors.completeness import REQUIREMENTS, opportunity_completeness
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
