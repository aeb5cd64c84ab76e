"""ESCO occupations: ISCO groups, hierarchy, labels in other languages, occupation-skill
relations mirrored on re-import, the recorded ESCO version and the v1.2 file names."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from taxonomies.esco import esco_import
from taxonomies.models import EscoOccupation, EscoOccupationSkill, EscoRelease, EscoSkill

pytestmark = pytest.mark.django_db

# Named as the official v1.2 zip unzips, with v1.2 file names (*_en.csv for relations too).
SAMPLE = Path(__file__).parent / "data" / "esco_v1.2.0_occupations"
DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
JOURNALIST = "http://data.europa.eu/esco/occupation/a47f82d3-4cf7-4abf-bb36-2c8cbad28234"
PROGRAMMING = "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
TEAMWORK = "http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0"


@pytest.fixture
def empty_esco():
    EscoOccupation.objects.all().delete()
    EscoSkill.objects.all().delete()


def _skills_of(uri: str) -> dict[str, str]:
    return dict(
        EscoOccupationSkill.objects.filter(occupation__uri=uri).values_list(
            "skill__preferred_label", "relation"
        )
    )


def test_occupations_isco_groups_hierarchy_relations_and_labels_load(empty_esco):
    report = esco_import(SAMPLE)

    assert report.version == "1.2.0"
    assert (report.occupations.created, report.isco_groups.created) == (3, 8)
    developer = EscoOccupation.objects.get(uri=DEVELOPER)
    assert developer.preferred_label == "software developer"
    assert developer.isco_code == "2512"
    assert developer.code == "2512.4"
    assert "programmer" in developer.alt_label_list
    chain = [developer]
    while chain[-1].broader.exists():
        chain.append(chain[-1].broader.get())
    assert [concept.code for concept in chain[1:]] == ["2512", "251", "25", "2"]
    assert _skills_of(DEVELOPER) == {
        "computer programming": "essential",
        "work in teams": "essential",
        "perform data analysis": "optional",
    }
    assert developer.labels.get(language="it").preferred_label == "sviluppatore di software"


def test_bad_occupation_rows_and_relations_are_reported_not_fatal(empty_esco):
    report = esco_import(SAMPLE)

    reasons = [str(rejection) for rejection in report.rejections]
    assert any(
        "occupations_en.csv" in reason
        and "'http://example.org/occupation/1' is not an ESCO occupation" in reason
        for reason in reasons
    )
    assert any("unknown relationType 'sometimes'" in reason for reason in reasons)
    assert any(
        "occupationSkillRelations_en.csv" in reason
        and "99999999-0000-0000-0000-000000000000 is not in the imported skills" in reason
        for reason in reasons
    )
    assert report.occupation_skills.skipped == 2
    assert not EscoOccupation.objects.filter(preferred_label="not ESCO").exists()


def test_type_ahead_finds_occupations_by_any_label_in_any_language_without_accents(empty_esco):
    esco_import(SAMPLE)

    def found(text):
        matches = EscoOccupation.objects.occupations().search(text)
        return [occupation.preferred_label for occupation in matches]

    assert found("journalist") == ["journalist"]
    assert found("giornalista") == ["journalist"]  # Italian preferred label
    assert found("cronista") == ["journalist"]  # Italian alternative label
    assert found("PROGRAMMATORE") == ["software developer"]
    assert found("redacteur") == ["journalist"]  # French, accents left out
    assert "software developer" in found("developer")
    assert found("   ") == []


def test_reimport_mirrors_relations_the_new_version_dropped_or_changed(empty_esco, tmp_path):
    esco_import(SAMPLE)
    again = esco_import(SAMPLE)
    assert (again.occupation_skills.created, again.occupation_skills.unchanged) == (0, 6)
    assert again.occupations.unchanged == 3

    bundle = tmp_path / "ESCO dataset - v1.2.1 - classification - en - csv"
    shutil.copytree(SAMPLE, bundle)
    relations = bundle / "occupationSkillRelations_en.csv"
    lines = relations.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not (line.startswith(DEVELOPER) and TEAMWORK in line)]
    text = "".join(kept).replace("data analyst,optional", "data analyst,essential")
    relations.write_text(text, encoding="utf-8")

    report = esco_import(bundle)

    assert report.occupation_skills.deleted == 1
    assert report.occupation_skills.updated == 1
    assert "work in teams" not in _skills_of(DEVELOPER)
    data_analyst = next(
        uri
        for uri in EscoOccupation.objects.filter(preferred_label="data analyst").values_list(
            "uri", flat=True
        )
    )
    assert _skills_of(data_analyst)["computer programming"] == "essential"
    assert EscoRelease.current().version == "1.2.1"


def test_the_loaded_version_is_recorded_and_a_given_version_wins(empty_esco, capsys):
    call_command("import_esco", str(SAMPLE), "--no-progress", "--esco-version", "v1.2.0-rc")
    output = capsys.readouterr().out
    assert "ESCO version: 1.2.0-rc" in output
    assert "occupation skills: 6 created" in output
    release = EscoRelease.current()
    assert (release.version, release.skills, release.occupations) == ("1.2.0-rc", 4, 3)


def test_full_official_bundle_with_occupations(shared_dir, empty_esco):
    report = esco_import(shared_dir / "data" / "esco", version="1.1.1")

    assert report.occupations.created == 3_007
    assert report.isco_groups.created == 619
    # 123,855 relations, of which 67 name occupations the bundle does not contain.
    assert report.occupation_skills.created == 123_788
    assert report.occupation_skills.skipped == 67
    assert EscoOccupation.objects.occupations().search("journalist")
    assert EscoRelease.current().version == "1.1.1"


def test_footer_and_api_show_the_loaded_version(empty_esco, client):
    esco_import(SAMPLE)

    assert "© European Union, v1.2.0." in client.get("/").text
    italian = client.get("/", headers={"accept-language": "it"})
    assert "© Unione europea, v1.2.0." in italian.text
    answer = client.get("/api/v1/esco/").json()
    assert (answer["version"], answer["skills"], answer["occupations"]) == ("1.2.0", 4, 3)


def test_occupation_api_type_ahead_and_skills(empty_esco, client):
    esco_import(SAMPLE)

    found = client.get("/api/v1/esco-occupations/", {"q": "rédacteur"}).json()
    assert [occupation["label"] for occupation in found["results"]] == ["journalist"]
    key = DEVELOPER.rsplit("/", 1)[1]
    detail = client.get(f"/api/v1/esco-occupations/{key}/").json()
    assert detail["label"] == "software developer"
    assert [(skill["label"], skill["relation"]) for skill in detail["skills"]] == [
        ("computer programming", "essential"),
        ("work in teams", "essential"),
        ("perform data analysis", "optional"),
    ]
    assert client.get("/api/v1/esco-occupations/no-such-job/").status_code == 404
