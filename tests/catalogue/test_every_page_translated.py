"""A visitor who picks any of the seven languages reads no English interface text on any public
page: the interface strings, the vocabulary labels, the EQF descriptors and the ISCED-F fields.

Each page is rendered in English and in the other language; a piece of visible text (a text
node, or an attribute a visitor sees or hears: placeholder, title, aria-label, alt, a button's
value) that reads the same in both is English left behind, unless it is catalogue data that has
no translation (a course title, a provider's name, an ESCO label the loaded bundle lacks) or a
message whose translation is spelt the same ("ECTS", Dutch "Filters"). Unlike a check of the
message catalogues, this also catches text a template writes without marking it, a vocabulary
label the fixtures do not translate and a message nobody has extracted yet.
"""

import re
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from descriptors.models import LearningOpportunity
from recognition.models import Agreement, Pathway
from taxonomies.esco import esco_import
from taxonomies.models import Concept, EqfLevel, EscoOccupation, EscoSkill, IscedField

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
TODAY = datetime(2026, 4, 10, 10, tzinfo=UTC)
OCCUPATIONS = Path(__file__).parent.parent / "taxonomies" / "data" / "esco_v1.2.0_occupations"
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
HIDDEN_ELEMENTS = {"script", "style", "template"}
# Language names in the switcher are written in their own language on every page.
OWN_NAMES = {translation.get_language_info(code)["name_local"] for code, _ in settings.LANGUAGES}
WORD = re.compile(r"[^\W\d_]{3,}")
# Vocabularies whose labels the fixtures translate: their English wording is not data.
TRANSLATED_VOCABULARIES = {Concept: "label", IscedField: "name", EqfLevel: None}


class VisibleText(HTMLParser):
    """The pieces of text a visitor reads or hears, in page order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        # A highlighted word (<mark>) is a record's own text matching the search: data.
        if tag in HIDDEN_ELEMENTS or tag == "mark":
            self._hidden += 1
        values = dict(attrs)
        for name in VISIBLE_ATTRIBUTES & values.keys():
            self._add(values[name])
        if tag == "input" and values.get("type") in {"submit", "button"}:
            self._add(values.get("value"))

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS or tag == "mark":
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self._add(data)

    def _add(self, text):
        text = " ".join((text or "").split())
        if text:
            self.pieces.append(text)


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.pieces


@cache
def catalogue_data() -> list[str]:
    """Every text the database holds that pages may show as it is, longest first: catalogue
    records, organisations, ESCO and NQF names. Vocabulary labels that the fixtures translate
    are left out: shown in English, they are a missing translation."""
    texts = set()
    for model in apps.get_models():
        if model in TRANSLATED_VOCABULARIES or model._meta.app_label not in {
            "descriptors",
            "recognition",
            "taxonomies",
        }:
            continue
        fields = [
            field.name
            for field in model._meta.get_fields()
            if isinstance(field, models.CharField | models.TextField) and not field.choices
        ]
        for row in model.objects.values_list(*fields):
            texts.update(" ".join(value.split()) for value in row if isinstance(value, str))
            texts.update(
                line.strip()
                for value in row
                if isinstance(value, str)
                for line in value.splitlines()
            )
    # Official code-list entries added on first use (a language such as Japanese) carry their
    # English label only.
    texts.update(Concept.objects.filter(labels={}).values_list("label", flat=True))
    return sorted((text for text in texts if len(text) > 2), key=len, reverse=True)


@cache
def spelt_the_same(language: str) -> list[re.Pattern]:
    """Messages and vocabulary labels that read in the language as in English (placeholders as
    any text): "ECTS", "MOOC", Dutch "Filters (%(n)s)", Italian "Malta"."""
    catalog = trans_real.translation(language)._catalog
    same = {
        key[0] if isinstance(key, tuple) else key
        for key, translated in catalog.items()
        if translated in {key, key[0] if isinstance(key, tuple) else key}
    }
    same.update(
        concept.label
        for concept in Concept.objects.all()
        if concept.labels.get(language) == concept.label
    )
    same.update(
        field.name for field in IscedField.objects.all() if field.names.get(language) == field.name
    )
    patterns = []
    for text in sorted(filter(None, same), key=len, reverse=True):
        parts = re.split(r"%\(\w+\)[sd]", text.split("\x04")[-1])
        if not WORD.search("".join(parts)):
            continue  # "%(label)s" alone would match any text
        patterns.append(re.compile(r"\b" + r".+?".join(map(re.escape, parts))))
    return patterns


def english_left(piece: str, language: str) -> bool:
    """Whether a piece of text that reads the same as on the English page still holds an
    interface word once the catalogue data and the same-spelt messages are taken out."""
    if "://" in piece or piece in OWN_NAMES:
        return False
    # Search snippets and shortened descriptions show part of a record's text.
    fragment = piece.strip(".… ")
    if len(fragment) > 20 and any(fragment in text for text in catalogue_data()):
        return False
    for text in catalogue_data():
        if text in piece:
            piece = re.sub(rf"(?<!\w){re.escape(text)}(?!\w)", " ", piece)
    for pattern in spelt_the_same(language):
        piece = pattern.sub(" ", piece)
    return any(not word.isupper() for word in WORD.findall(piece))


def untranslated(client, path: str, language: str) -> list[str]:
    english = client.get(path, headers={"accept-language": "en"})
    assert english.status_code == 200, path
    prefix = f"/{language}"
    other = client.get(prefix + path)
    assert other.status_code == 200, prefix + path
    assert other.headers["Content-Language"] == language, prefix + path
    unchanged = set(visible_text(english.text)) & set(visible_text(other.text))
    return sorted(piece for piece in unchanged if english_left(piece, language))


@pytest.fixture(scope="module")
def public_pages(django_db_setup, django_db_blocker):
    """One of each public page, over the demo catalogue, the recognition demo and an ESCO
    bundle with occupations."""
    # A day when the demo has agreements in force and courses still to start.
    with time_machine.travel(TODAY), django_db_blocker.unblock(), transaction.atomic():
        esco_import(OCCUPATIONS)
        call_command("load_demo", "--no-users")
        call_command("load_recognition_demo", "--no-users")
        opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
        skill = EscoSkill.objects.filter(outcomes__opportunity=opportunity).first()
        occupation = EscoOccupation.objects.filter(skill_relations__isnull=False).first()
        agreement = Agreement.objects.in_force().first()
        with translation.override(settings.LANGUAGE_CODE):
            paths = [
                "/",
                "/?q=data&eqf=6",
                reverse("catalogue:browse-fields"),
                reverse("catalogue:browse-levels"),
                reverse("catalogue:browse-providers"),
                reverse("catalogue:browse-skills"),
                reverse("catalogue:browse-skill", args=[skill.key]),
                reverse("catalogue:opportunity-detail", args=[opportunity.pk]),
                reverse("catalogue:provider", args=[opportunity.provider_id]),
                reverse("catalogue:about"),
                reverse("catalogue:occupations"),
                reverse("catalogue:occupation", args=[occupation.key]),
                reverse("recognition:institutions"),
                reverse("recognition:institution", args=[agreement.institution_id]),
                reverse("recognition:agreement", args=[agreement.pk]),
                reverse("recognition:decisions"),
                reverse("recognition:pathways"),
                reverse("recognition:pathway", args=[Pathway.objects.first().pk]),
            ]
        yield paths
        transaction.set_rollback(True)
        catalogue_data.cache_clear()
        spelt_the_same.cache_clear()


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_public_page_shows_english_interface_text(client, public_pages, language):
    found = {path: untranslated(client, path, language) for path in public_pages}
    assert found == {path: [] for path in public_pages}


@pytest.mark.django_db
def test_the_check_finds_english_left_on_a_page(client, public_pages):
    """Compared with itself, the English detail page is all "untranslated": the check sees the
    interface text, the vocabulary labels and the EQF descriptor, and leaves the catalogue's own
    data alone."""
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    with translation.override(settings.LANGUAGE_CODE):
        detail = reverse("catalogue:opportunity-detail", args=[opportunity.pk])
    shown = visible_text(client.get(detail).text)
    left = [piece for piece in shown if english_left(piece, "it")]
    assert "Learning outcomes and ESCO skills" in left
    assert opportunity.eqf_level.knowledge in left
    for mode in opportunity.modes.all():
        assert any(mode.label in piece for piece in left)
    assert opportunity.title in shown
    assert opportunity.title not in left
    assert opportunity.provider.name not in left
