from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from taxonomies.esco import esco_import
from taxonomies.models import EscoBroaderRelation, EscoSkill

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "esco_sample"
PROGRAMMING = "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"


@pytest.fixture
def empty_esco():
    EscoSkill.objects.all().delete()


def test_sample_bundle_loads_skills_groups_hierarchy_and_labels(empty_esco):
    report = esco_import(SAMPLE)

    assert report.skills.created == 4
    assert report.groups.created == 13
    programming = EscoSkill.objects.get(uri=PROGRAMMING)
    assert programming.preferred_label == "computer programming"
    assert programming.skill_type == "knowledge"
    assert "Emacs Lisp" in programming.alt_label_list
    assert len(programming.alt_label_list) > 3
    assert "0613" in [broader.code for broader in programming.broader.all()]
    assert EscoSkill.objects.get(code="0613").broader.get().code == "061"
    assert programming.labels.get(language="it").preferred_label == "programmazione informatica"


def test_malformed_rows_are_reported_with_line_and_reason_not_fatal(empty_esco):
    report = esco_import(SAMPLE)

    reasons = [str(rejection) for rejection in report.rejections]
    assert any(
        "skills_en.csv" in reason and "'not-a-uri' is not an ESCO skill" in reason
        for reason in reasons
    )
    assert any("unknown skillType 'superpower'" in reason for reason in reasons)
    assert any(
        "broaderRelationsSkillPillar.csv" in reason and "ffffffff-dead-beef" in reason
        for reason in reasons
    )
    assert any("skills_it.csv" in reason for reason in reasons)
    assert report.skills.skipped == 2
    assert not EscoSkill.objects.filter(preferred_label__in=["broken row", "odd skill type"])
    line = next(r.line for r in report.rejections if "not-a-uri" in r.reason)
    sample_lines = (SAMPLE / "skills_en.csv").read_text(encoding="utf-8").splitlines()
    assert "not-a-uri" in sample_lines[line - 1]


def test_reimport_changes_nothing_and_an_edit_updates_in_place(empty_esco, tmp_path):
    esco_import(SAMPLE)
    relations = EscoBroaderRelation.objects.count()

    again = esco_import(SAMPLE)
    assert (again.skills.created, again.skills.updated, again.skills.unchanged) == (0, 0, 4)
    assert again.relations.created == 0
    assert EscoBroaderRelation.objects.count() == relations

    for source in SAMPLE.iterdir():
        text = source.read_text(encoding="utf-8")
        (tmp_path / source.name).write_text(
            text.replace(",computer programming,", ",software programming,"), encoding="utf-8"
        )
    edited = esco_import(tmp_path)
    assert edited.skills.updated == 1
    assert EscoSkill.objects.get(uri=PROGRAMMING).preferred_label == "software programming"
    assert EscoSkill.objects.filter(uri=PROGRAMMING).count() == 1


def test_command_reports_summary_and_rejections(empty_esco, capsys):
    call_command("import_esco", str(SAMPLE), "--no-progress")
    output = capsys.readouterr().out
    assert "skills: 4 created, 0 updated" in output
    assert "row(s) skipped" in output
    assert "not-a-uri" in output


def test_command_refuses_a_folder_without_skills(tmp_path):
    with pytest.raises(CommandError, match=r"holds no skills_en\.csv"):
        call_command("import_esco", str(tmp_path), "--no-progress")


def test_a_file_missing_required_columns_is_refused_clearly(tmp_path):
    (tmp_path / "skills_en.csv").write_text("uri,label\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lacks the column"):
        call_command("import_esco", str(tmp_path), "--no-progress")


def test_full_official_bundle(shared_dir, empty_esco):
    report = esco_import(shared_dir / "data" / "esco")

    assert report.skills.created == 13_896
    assert report.groups.created == 640
    # 20,656 edges, of which 7 point to groups the bundle does not contain.
    assert report.relations.created == 20_649
    assert report.relations.skipped == 7
    assert EscoSkill.objects.skills().count() == 13_896
    assert EscoBroaderRelation.objects.count() == 20_649
    assert EscoSkill.objects.get(uri=PROGRAMMING).labels.filter(language="fr").exists()


def test_a_skill_added_by_hand_must_have_an_esco_uri(admin_client):
    """It is offered to providers and exported as ESCO's: an invented address is refused."""
    url = reverse("admin:taxonomies_escoskill_add")
    page = admin_client.get(url)
    data = {
        name: value
        for name in page.context["adminform"].form.fields
        if (value := page.context["adminform"].form[name].value()) is not None
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data |= {
            f"{formset.formset.prefix}-{name}": management[name].value()
            for name in management.fields
        }
    data |= {"preferred_label": "invented skill", "uri": "https://example.org/skill/1"}
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["uri"] == [
        "Give the concept's ESCO URI: it starts with http://data.europa.eu/esco/skill/ or "
        "http://data.europa.eu/esco/isced-f/."
    ]
    assert not EscoSkill.objects.filter(preferred_label="invented skill").exists()
    data["uri"] = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000001"
    assert admin_client.post(url, data).status_code == 302
