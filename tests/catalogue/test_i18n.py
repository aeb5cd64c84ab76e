import html
import re
import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from descriptors.models import LearningOpportunity
from taxonomies.esco import esco_import
from taxonomies.models import EscoSkill

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

ESCO_SAMPLE = Path(__file__).parent.parent / "taxonomies" / "data" / "esco_sample"
LANGUAGES = ["en", "it", "fr", "es", "de", "nl", "lt"]


def dhbw_detail(language: str = "en") -> str:
    dhbw = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    with translation.override(language):
        return reverse("catalogue:opportunity-detail", args=[dhbw.pk])


def test_switching_to_italian_translates_labels_vocabularies_dates_and_numbers(client):
    response = client.post(reverse("set_language"), {"language": "it", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/it/"
    page = html.unescape(client.get(response["Location"]).text)
    assert "Cerca micro-credenziali" in page
    assert "Livello EQF" in page  # facet name
    assert "In presenza" in page  # ELM vocabulary label
    assert "Misto (blended)" in page

    detail = html.unescape(client.get(dhbw_detail("it")).text)
    assert "13 apr 2026" in detail  # date in the visitor's locale, month in lower case
    assert "690\u00a0€" in detail  # Italian currency format
    assert "12 settimane" in detail  # duration in words
    assert "come una laurea triennale" in detail  # EQF hint
    assert "Risultati di apprendimento e competenze ESCO" in detail


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Rechercher des micro-certifications", "Niveau CEC", "En présentiel", "Hybride"]),
        ("es", ["Buscar microcredenciales", "Nivel MEC", "Presencial", "Semipresencial"]),
        ("de", ["Microcredentials suchen", "EQR-Niveau", "Präsenz", "Hybrid (Blended Learning)"]),
        ("nl", ["Microcredentials zoeken", "EKK-niveau", "Fysiek", "Blended"]),
        ("lt", ["Ieškoti mikrokredencialų", "EKS lygis", "Kontaktinis", "Mišrusis"]),
    ],
)
def test_each_partner_language_has_its_interface_and_vocabulary_labels(client, language, words):
    page = client.get(f"/{language}/")
    assert page.headers["Content-Language"] == language
    assert f'<html lang="{language}">' in page.text
    for word in words:
        assert word in html.unescape(page.text)


@pytest.mark.parametrize(
    ("language", "date", "duration", "hint", "field", "knowledge"),
    [
        (
            "fr",
            "13 avr. 2026",
            "12 semaines",
            "comme une licence",
            "Commerce et administration",
            "Savoirs approfondis",
        ),
        (
            "es",
            "13 abr 2026",
            "12 semanas",
            "como un grado universitario",
            "Administración y gestión de empresas",
            "Conocimientos avanzados",
        ),
        (
            "de",
            "13. April 2026",
            "12 Wochen",
            "wie ein Bachelorabschluss",
            "Wirtschaft und Verwaltung",
            "Fortgeschrittene Kenntnisse",
        ),
        (
            "nl",
            "13 apr 2026",
            "12 weken",
            "zoals een bachelordiploma",
            "Bedrijfskunde en administratie",
            "Geavanceerde kennis",
        ),
        (
            "lt",
            "2026 m. balandžio 13 d.",
            "12 savaičių",
            "kaip bakalauro laipsnis",
            "Verslas ir administravimas",
            "Pažangios darbo ar mokymosi srities žinios",
        ),
    ],
)
def test_detail_page_in_each_language(client, language, date, duration, hint, field, knowledge):
    """Dates with the month as the language writes it, durations in words, the EQF hint and
    descriptor, the ISCED-F field: all in the visitor's language."""
    detail = html.unescape(client.get(dhbw_detail(language)).text)
    for expected in (date, duration, hint, field, knowledge):
        assert expected in detail


def test_lithuanian_counts_take_the_right_plural(client):
    with translation.override("lt"):
        assert [
            translation.ngettext("%(n)d week", "%(n)d weeks", n) % {"n": n} for n in (1, 3, 12, 21)
        ] == ["1 savaitė", "3 savaitės", "12 savaičių", "21 savaitė"]


def test_every_page_names_its_seven_language_versions(client):
    page = client.get(dhbw_detail("de")).text
    alternates = dict(
        re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', page)
    )
    assert alternates == {
        language: "http://testserver" + dhbw_detail(language) for language in LANGUAGES
    } | {"x-default": "http://testserver" + dhbw_detail("en")}
    assert f'<link rel="canonical" href="http://testserver{dhbw_detail("de")}">' in page


def test_the_switcher_keeps_the_page_and_its_query(client):
    response = client.post(
        reverse("set_language"), {"language": "lt", "next": "/fr/browse/levels/?sort=title"}
    )
    assert response["Location"] == "/lt/browse/levels/?sort=title"
    back = client.post(reverse("set_language"), {"language": "en", "next": response["Location"]})
    assert back["Location"] == "/browse/levels/?sort=title"
    assert client.get(back["Location"]).headers["Content-Language"] == "en"


def test_an_unprefixed_address_answers_in_the_visitors_language(client):
    """Bookmarks and shared links without a prefix follow the browser; links then carry it."""
    page = client.get("/about/", headers={"accept-language": "nl-BE,nl;q=0.9,en;q=0.5"})
    assert page.headers["Content-Language"] == "nl"
    assert "Accept-Language" in page.headers["Vary"]
    assert 'href="/nl/browse/fields/"' in page.text


def test_english_stays_the_default(client):
    page = client.get("/")
    assert "Search micro-credentials" in page.text
    assert page.headers["Content-Language"] == "en"


def test_esco_labels_follow_the_visitor_where_the_bundle_has_the_language(
    client, shared_dir, tmp_path
):
    """The official French and Spanish skill labels (an ESCO 1.0 export) are loaded beside the
    English bundle; a page shows them in French and Spanish, and English in German, which the
    bundle lacks."""
    bundle = tmp_path / "esco"
    shutil.copytree(ESCO_SAMPLE, bundle)
    extra = shared_dir / "data" / "esco" / "extra-languages-v1.0"
    shutil.copy(extra / "skills_fr.csv", bundle)
    shutil.copy(extra / "skills_es.csv", bundle)
    report = esco_import(bundle)
    assert report.labels.created > 0
    skill = next(
        skill
        for skill in EscoSkill.objects.skills().prefetch_related("labels")
        if {"fr", "es"} <= {label.language for label in skill.labels.all()}
    )
    labels = {label.language: label.preferred_label for label in skill.labels.all()}
    for language, expected in (
        ("fr", labels["fr"]),
        ("es", labels["es"]),
        ("de", skill.preferred_label),
    ):
        with translation.override(language):
            path = reverse("catalogue:browse-skill", args=[skill.key])
        page = html.unescape(client.get(path).text)
        assert f"<h1>{expected}</h1>" in page


def test_a_partner_reads_the_reference_data_in_its_language(client):
    """The API answers in the language of Accept-Language: EQF descriptors, ISCED-F fields and
    vocabulary labels."""
    levels = client.get("/api/v1/eqf-levels/", headers={"accept-language": "fr"}).json()
    level_6 = next(level for level in levels if level["level"] == 6)
    assert level_6["knowledge"].startswith("Savoirs approfondis dans un domaine")
    fields = client.get("/api/v1/isced-fields/", headers={"accept-language": "lt"}).json()
    assert {"code": "06", "name": "Informacinės ir ryšių technologijos (IRT)"}.items() <= next(
        field for field in fields if field["code"] == "06"
    ).items()
    english = client.get("/api/v1/eqf-levels/").json()
    assert english[5]["knowledge"].startswith("Advanced knowledge of a field")
