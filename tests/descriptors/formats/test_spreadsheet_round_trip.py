"""Export -> import keeps every outcome as it was, brackets in its own text included."""

import pytest

from descriptors.formats.spreadsheet import (
    dump_template_csv,
    dump_template_xlsx,
    provider_rows,
    read_rows,
)
from descriptors.imports import opportunities_import
from descriptors.models import LearningOutcome
from taxonomies.models import EscoSkill
from tests.builders import make_opportunity, make_organisation

pytestmark = pytest.mark.django_db

TITLES = [
    "[Livestream] Broadcast a live event",
    "Configure the encoder [OBS Studio]",
    "Use [a] and [b; c] in a script",
    "Plan a shoot [",
    "[only brackets]",
]


def stored_outcomes(provider) -> list[tuple[str, set[str]]]:
    return [
        (outcome.title, {skill.uri for skill in outcome.skills.all()})
        for outcome in LearningOutcome.objects.filter(opportunity__provider=provider)
        .prefetch_related("skills")
        .order_by("opportunity__provider_reference", "position", "pk")
    ]


@pytest.mark.parametrize(
    ("name", "dump"), [("a.csv", dump_template_csv), ("a.xlsx", dump_template_xlsx)]
)
def test_outcomes_with_brackets_survive_export_and_import(name, dump):
    provider = make_organisation("Streaming Academy")
    skill = EscoSkill.objects.skills().first()
    for reference, with_skill in (("NO-SKILLS", False), ("WITH-SKILL", True)):
        opportunity = make_opportunity(provider, provider_reference=reference, complete=True)
        opportunity.outcomes.all().delete()
        for position, title in enumerate(TITLES):
            outcome = LearningOutcome.objects.create(
                opportunity=opportunity, title=title, position=position
            )
            if with_skill:
                outcome.skills.add(skill)
    exported = dump(provider_rows(provider))

    # Back onto the same records: nothing to change.
    again = opportunities_import(read_rows(exported, name), provider=provider)
    assert again.summary == "0 created, 0 updated, 2 unchanged, 0 rejected"
    # Into another provider: the same stored outcomes.
    copy = make_organisation("Another provider")
    report = opportunities_import(read_rows(exported, name), provider=copy)
    assert report.summary == "2 created, 0 updated, 0 unchanged, 0 rejected", report.rows
    assert stored_outcomes(copy) == stored_outcomes(provider)
    assert [title for title, _ in stored_outcomes(copy)][:5] == TITLES


def test_brackets_typed_at_the_end_of_an_outcome_explain_the_escape():
    provider = make_organisation("Streaming Academy")
    cells = "\n".join(
        f"{key},{value}"
        for key, value in {
            "provider_reference": "HAND-1",
            "title": "Streaming",
            "default_language": "en",
            "languages": "en",
            "isced_fields": "0211",
            "outcomes": "Broadcast events [Livestream]",
        }.items()
    )
    header, values = zip(*(line.split(",") for line in cells.splitlines()), strict=True)
    raw = (",".join(header) + "\n" + ",".join(values) + "\n").encode()
    report = opportunities_import(read_rows(raw, "a.csv"), provider=provider)
    [problem] = report.rows[0].problems
    assert problem.message == (
        "'Livestream' is not an ESCO skill. (Text in [ ] at the end of an outcome is read as "
        "its ESCO skills: to keep brackets in the outcome itself, add [] after it.)"
    )
