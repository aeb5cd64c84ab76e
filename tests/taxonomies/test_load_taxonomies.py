import csv

import pytest
from django.core.management import call_command

from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, NqfFramework, Scheme

pytestmark = pytest.mark.django_db


def test_eqf_has_eight_levels_with_descriptors_and_cycles():
    levels = list(EqfLevel.objects.all())
    assert [level.level for level in levels] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert levels[6].uri == "http://data.europa.eu/snb/eqf/7"
    assert "forefront" in levels[6].knowledge
    assert [level.qf_ehea_cycle for level in levels[4:]] == ["short", "first", "second", "third"]
    assert not any(level.qf_ehea_cycle for level in levels[:4])


def test_every_isced_row_of_the_reference_list_is_loaded(shared_dir):
    with (shared_dir / "domain" / "isced_f_2013.csv").open(encoding="utf-8") as handle:
        reference = {row["code"]: row for row in csv.DictReader(handle)}
    loaded = {field.code: field for field in IscedField.objects.all()}
    assert loaded.keys() == reference.keys()
    for code, row in reference.items():
        assert loaded[code].name == row["name"]
        assert loaded[code].level == row["level"]
        assert (loaded[code].parent_id or "") == row["parent"]
    software = loaded["0613"]
    assert software.uri == "http://data.europa.eu/snb/isced-f/0613"
    assert [step.code for step in software.path()] == ["06", "061", "0613"]


def test_isced_hierarchy_counts():
    assert IscedField.objects.filter(level="broad").count() == 11
    assert IscedField.objects.filter(level="narrow").count() == 57
    assert IscedField.objects.filter(level="detailed").count() == 149


def test_nqf_frameworks_map_levels_to_eqf():
    qnq = NqfFramework.objects.get(code="c_02d8bc18")
    assert qnq.has_sublevels
    assert qnq.country.code == "ITA"
    assert [(level.label, level.eqf_level_id) for level in qnq.levels.all()] == [
        (str(number), number) for number in range(1, 9)
    ]
    assert {framework.country.code for framework in NqfFramework.objects.all()} >= {
        "ITA",
        "ESP",
        "DEU",
        "LTU",
        "MLT",
        "NLD",
        "FRA",
    }
    malta = NqfFramework.objects.get(code="c_54f4d62a")
    assert malta.levels.get(label="A").eqf_level is None


def test_elm_vocabularies_carry_official_uris():
    mooc = Concept.objects.get(scheme=Scheme.LEARNING_OPPORTUNITY_TYPE, code="17744a2647")
    assert mooc.uri == "http://data.europa.eu/snb/learning-opportunity/17744a2647"
    assert mooc.label == "MOOC"
    italian = Concept.objects.get(scheme=Scheme.LANGUAGE, code="ITA")
    assert italian.uri == "http://publications.europa.eu/resource/authority/language/ITA"
    assert italian.short_code == "it"
    for scheme in Scheme:
        assert Concept.objects.filter(scheme=scheme).exists(), f"{scheme} is empty"


def test_curated_esco_subset_has_its_broader_chain_up_to_the_pillar():
    programming = EscoSkill.objects.get(
        uri="http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
    )
    chain, todo = set(), [programming]
    while todo:
        for broader in todo.pop().broader.all():
            chain.add(broader.preferred_label)
            todo.append(broader)
    assert "skills" in chain or "knowledge" in chain


def test_loading_twice_changes_nothing(capsys):
    before = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Concept, EqfLevel, IscedField, EscoSkill)
    }
    call_command("load_taxonomies")
    output = capsys.readouterr().out
    assert " 0 created, 0 updated" in output
    assert "created" in output and not any(
        line for line in output.splitlines() if " 0 created, 0 updated" not in line
    )
    after = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Concept, EqfLevel, IscedField, EscoSkill)
    }
    assert after == before
