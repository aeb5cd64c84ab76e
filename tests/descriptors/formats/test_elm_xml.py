"""ELM LOQ XML export: valid against the official loq.xsd, stable (golden file), reachable
through the API and a management command."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from lxml import etree

from descriptors.formats.elm_xml import dump_loq
from descriptors.models import Edition, LearningOpportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

GOLDEN = Path(__file__).parent / "golden" / "loq_dhbw_digital_marketing.xml"
LOQ = "{http://data.europa.eu/snb/model/ap/loq-constraints/}"


def assert_valid(schema, document: bytes) -> etree._Element:
    tree = etree.fromstring(document)
    if not schema.validate(tree):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        pytest.fail(f"not valid against loq.xsd:\n{errors}")
    return tree


def canonical(document: bytes) -> str:
    """Database ids and timestamps replaced by stable placeholders."""
    text = document.decode()
    numbering: dict[str, str] = {}

    def renumber(match):
        numbering.setdefault(match.group(0), f"urn:oclo:{match.group(1)}:{len(numbering) + 1}")
        return numbering[match.group(0)]

    text = re.sub(rf"{re.escape(settings.OCLO_BASE_URL)}/elm/([\w-]+)/\d+", renumber, text)
    text = re.sub(r"(descriptor/published\"/>\s*<noteLiteral[^>]*>)[^<]+", r"\1PUBLISHED", text)
    return re.sub(r"<modified>[^<]+</modified>", "<modified>MODIFIED</modified>", text)


def test_one_opportunity_matches_the_golden_file_and_the_schema(loq_schema):
    opportunity = LearningOpportunity.objects.with_detail_data().get(
        provider_reference="DHBW-DMH-2026"
    )
    document = dump_loq([opportunity])
    tree = assert_valid(loq_schema, document)
    if os.environ.get("OCLO_UPDATE_GOLDEN"):  # after an intended change of the format
        GOLDEN.write_text(canonical(document), encoding="utf-8")
    assert canonical(document) == GOLDEN.read_text(encoding="utf-8")
    specification = tree.find(
        f"{LOQ}learningAchievementSpecificationReferences/{LOQ}learningAchievementSpecification"
    )
    assert specification.find(f"{LOQ}volumeOfLearning").text == "PT150H"
    assert specification.find(f"{LOQ}creditPoint/{LOQ}point").text == "5"
    skills = tree.findall(f".//{LOQ}relatedESCOSkill")
    assert skills and all(
        s.get("uri").startswith("http://data.europa.eu/esco/skill/") for s in skills
    )


def test_the_whole_demo_catalogue_is_valid(loq_schema):
    """One specification per micro-credential, one learning opportunity per published edition
    (or, without one, for the micro-credential itself)."""
    opportunities = LearningOpportunity.objects.published().with_detail_data()
    tree = assert_valid(loq_schema, dump_loq(opportunities))
    specifications = tree.findall(
        f"{LOQ}learningAchievementSpecificationReferences/{LOQ}learningAchievementSpecification"
    )
    assert len(specifications) == opportunities.count() == 32
    offered = tree.findall(f"{LOQ}learningOpportunityReferences/{LOQ}learningOpportunity")
    editions = Edition.objects.filter(opportunity__in=opportunities, is_published=True)
    without = opportunities.exclude(editions__is_published=True).count()
    assert len(offered) == editions.count() + without > 32
    cimea = opportunities.get(provider_reference="CIMEA-CE-2026")
    assert [
        node.get("id")
        for node in offered
        if node.find(f"{LOQ}learningAchievementSpecification")
        .get("idref")
        .endswith(f"/elm/specification/{cimea.pk}")
    ] == [f"{settings.OCLO_BASE_URL}/elm/edition/{edition.pk}" for edition in cimea.public_editions]


def test_api_serves_xml_by_suffix_and_by_accept_header(client, loq_schema):
    opportunity = LearningOpportunity.objects.get(provider_reference="UNIT-RENO-2026")
    by_suffix = client.get(f"/api/v1/learning-opportunities/{opportunity.pk}.xml")
    assert by_suffix["Content-Type"] == "application/xml"
    assert_valid(loq_schema, by_suffix.content)
    by_header = client.get(
        f"/api/v1/learning-opportunities/{opportunity.pk}/", headers={"accept": "application/xml"}
    )
    assert by_header.content == by_suffix.content
    result = client.get("/api/v1/learning-opportunities.xml", {"q": "fotografia"})
    tree = assert_valid(loq_schema, result.content)
    # Leica's three street-photography micro-credentials, one learning opportunity per edition.
    leica = LearningOpportunity.objects.published().filter(provider__name="Leica Camera Italia")
    specifications = tree.findall(
        f"{LOQ}learningAchievementSpecificationReferences/{LOQ}learningAchievementSpecification"
    )
    assert len(specifications) == leica.count() == 3
    assert len(tree.findall(f".//{LOQ}learningOpportunity")) == sum(
        len(opportunity.public_editions) for opportunity in leica
    )
    missing = client.get("/api/v1/learning-opportunities/999999.xml")
    assert missing.status_code == 404 and missing.json()["detail"]


def test_export_command_writes_a_valid_document(tmp_path, loq_schema):
    target = tmp_path / "catalogue.xml"
    call_command("export_elm", "--output", str(target), "--query", "eqf=6")
    tree = assert_valid(loq_schema, target.read_bytes())
    level_six = LearningOpportunity.objects.published().filter(eqf_level=6)
    # One learning opportunity per published edition; one of its own without any.
    expected = sum(max(len(opportunity.public_editions), 1) for opportunity in level_six)
    assert len(tree.findall(f".//{LOQ}learningOpportunity")) == expected


@pytest.mark.parametrize("sample", ["loq.xml", "loq_withLearningAchievementSpecification.xml"])
def test_official_samples_are_refused_record_by_record_with_the_reason(sample, capsys):
    """The official samples are generated test data: their values are not valid (a credit
    point of 'S91ZbAwnQrf', a negative price), and the record says so, with its line."""
    from tests.conftest import SHARED

    path = SHARED / "spec" / "elm" / "loq" / sample
    if not path.is_file():
        pytest.skip(f"the official sample is not at {path}")
    before = LearningOpportunity.objects.count()
    call_command("import_elm", str(path))
    output = capsys.readouterr().out
    # Its two learning opportunities offer one specification: one micro-credential.
    assert output.startswith("0 created, 0 updated, 0 unchanged, 1 rejected")
    assert "rejected http://LOP-01 (line 42): creditPoint 'S91ZbAwnQrf' is not a number" in output
    assert LearningOpportunity.objects.count() == before


def test_malformed_documents_are_refused_clearly(tmp_path):
    from django.core.management import CommandError

    broken = tmp_path / "broken.xml"
    broken.write_text(
        '<Courses xmlns="http://data.europa.eu/snb/model/ap/loq-constraints/"><learningOpp',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="not well-formed XML"):
        call_command("import_elm", str(broken))
    other = tmp_path / "other.xml"
    other.write_text("<Courses><learningOpportunity/></Courses>", encoding="utf-8")
    with pytest.raises(CommandError, match="not an ELM LOQ document: the root element is Courses"):
        call_command("import_elm", str(other))
