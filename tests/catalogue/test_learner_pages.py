"""What a learner sees on the cards and the opportunity page: a summary, what they will learn,
when they can start, the main button, what they receive and what it costs; and the small
things around them a careful reader notices: the active filters, the footer, a missing page,
French punctuation."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone, translation

from catalogue.learner import StartInfo, next_start
from descriptors.models import Edition, LearningOutcome
from descriptors.vocabularies import Vocabularies
from oclo import urls
from taxonomies.models import EqfLevel, EscoRelease, IscedField, Scheme
from taxonomies.selectors import ESCO_VERSION_CACHE_KEY
from tests.builders import (
    concept,
    make_agreement,
    make_opportunity,
    make_organisation,
    make_provider_user,
    text_of,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def detail(client, opportunity) -> str:
    return text_of(client.get(reverse("catalogue:opportunity-detail", args=[opportunity.pk])))


@pytest.fixture
def course():
    opportunity = make_opportunity(
        title="Street photography basics",
        description="Learn to see and shoot the street. " + "More words here. " * 40,
        homepage="https://example.org/street",
        start_date=date(2026, 2, 9),
        duration="P4M",
        fee_amount=Decimal("800.00"),
        currency=concept(Scheme.CURRENCY, "EUR"),
        credential_type=concept(Scheme.CREDENTIAL_TYPE, "open-badge"),
    )
    for position, title in enumerate(
        ("Compose a street photograph.", "Edit a photo series.", "Publish a portfolio.")
    ):
        LearningOutcome.objects.create(opportunity=opportunity, position=position, title=title)
    return opportunity


def test_a_card_has_a_summary_the_first_outcomes_the_start_and_the_price(client, course):
    page = text_of(client.get(reverse("catalogue:search"), {"q": ""}))
    assert "Learn to see and shoot the street." in page
    assert "…" in page  # the summary is cut, not the whole description
    assert "You will learn to: Compose a street photograph. Edit a photo series." in page
    assert "Publish a portfolio." not in page  # only the first two
    assert "Starts 9 Feb 2026" in page
    assert "€800" in page
    assert "4 months" in page


def test_the_page_says_when_to_start_what_you_receive_and_what_it_costs(client, course):
    page = detail(client, course)
    assert "Next start Starts 9 Feb 2026" in page
    assert "How long 4 months" in page
    assert "What you receive Open badge" in page
    assert "What it costs €800" in page


def test_the_main_button_goes_to_the_course_or_says_until_when_to_apply(client, course):
    page = client.get(reverse("catalogue:opportunity-detail", args=[course.pk])).text
    assert re.search(
        r'<a class="cta" href="https://example.org/street"[^>]*>Go to the course</a>', page
    )

    Edition.objects.filter(opportunity=course).update(application_deadline=date(2026, 2, 5))
    page = detail(client, course)
    assert "Apply by 5 Feb 2026" in page
    assert "Applications open until 5 Feb 2026" in page

    Edition.objects.filter(opportunity=course).update(application_deadline=date(2026, 1, 20))
    page = detail(client, course)
    assert "Go to the course" in page
    assert "Applications closed on 20 Jan 2026" in page


def test_no_button_without_a_web_page(client):
    page = detail(client, make_opportunity(homepage=""))
    assert "Go to the course" not in page
    assert "Apply by" not in page


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"any_start_date": True}, StartInfo("any")),
        ({}, StartInfo("unknown")),
        ({"start_date": date(2026, 3, 1)}, StartInfo("upcoming", date(2026, 3, 1))),
        ({"start_date": TODAY}, StartInfo("upcoming", TODAY)),
        (
            {"start_date": date(2026, 1, 10), "end_date": date(2026, 4, 1)},
            StartInfo("running", date(2026, 1, 10)),
        ),
        ({"start_date": date(2026, 1, 10)}, StartInfo("running", date(2026, 1, 10))),
        (
            {"start_date": date(2025, 9, 1), "end_date": date(2025, 12, 1)},
            StartInfo("past", date(2025, 9, 1)),
        ),
        (
            {"editions": [{"start_date": date(2026, 3, 1), "status": "cancelled"}]},
            StartInfo("past", date(2026, 3, 1)),
        ),
    ],
)
def test_next_start(values, expected):
    assert next_start(make_opportunity(**values), TODAY) == expected


def test_next_start_prefers_an_edition_to_come_over_one_running_and_the_past():
    opportunity = make_opportunity(
        editions=[
            {"start_date": date(2025, 3, 1), "end_date": date(2025, 5, 1)},
            {"start_date": date(2026, 1, 10), "end_date": date(2026, 4, 1)},
            {"start_date": date(2026, 9, 1)},
            {"start_date": date(2026, 4, 1), "is_published": False},
        ]
    )
    assert next_start(opportunity, TODAY) == StartInfo("upcoming", date(2026, 9, 1))
    assert opportunity.more_editions_count == 1  # the running one


def test_completeness_is_shown_only_to_the_providers_staff(client, course):
    assert "Completeness of this record" not in detail(client, course)

    client.force_login(make_provider_user(make_organisation()))
    assert "Completeness of this record" not in detail(client, course)

    client.force_login(make_provider_user(course.provider))
    assert "Completeness of this record" in detail(client, course)


def test_an_italian_learner_reads_it_all_in_italian(client, course):
    client.cookies["django_language"] = "it"
    Edition.objects.filter(opportunity=course).update(application_deadline=date(2026, 2, 5))
    page = detail(client, course)
    for italian in (
        "In breve",
        "Iscriviti entro il 5 feb 2026",
        "Prossimo inizio Inizia il 9 feb 2026",
        "Durata 4 mesi",
        "Cosa ottieni Open badge",
        "Quanto costa 800 €",
    ):
        assert italian in page
    assert "Imparerai a:" in text_of(client.get(reverse("catalogue:search")))


def chips(client, query: dict) -> list[str]:
    page = client.get(reverse("catalogue:search"), query).text
    return [text_of_html(chip) for chip in re.findall(r'<a class="chip"[^>]*>(.*?)</a>', page)]


def text_of_html(fragment: str) -> str:
    """The text of a piece of HTML, its no-break spaces kept."""
    return re.sub(r"[ \t\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def test_an_active_filter_names_its_facet_once_in_the_languages_own_punctuation(client, course):
    course.eqf_level = EqfLevel.objects.get(level=6)
    course.save()
    query = {"q": "street", "eqf": "6", "provider": course.provider_id}
    assert chips(client, query) == [
        "“street” ×",
        "EQF level 6 ×",
        f"Provider: {course.provider.name} ×",
    ]
    client.cookies["django_language"] = "fr"
    assert chips(client, query) == [
        "«\u202fstreet\u202f» ×",
        "Niveau CEC 6 ×",
        f"Prestataire\u00a0: {course.provider.name} ×",
    ]


def footer(client) -> str:
    cache.delete(ESCO_VERSION_CACHE_KEY)  # read once a minute: a new release shows at once here
    page = text_of(client.get(reverse("catalogue:search")))
    return page[page.index("Skills and competences") :]


def test_the_footer_gives_the_esco_release_when_it_is_known_and_no_made_up_one(client):
    attribution = (
        "Skills and competences: ESCO – European Skills, Competences, Qualifications and "
        "Occupations, © European Union{}. This service uses the ESCO classification of the "
        "European Commission."
    )
    assert attribution.format("") in footer(client)  # the curated subset only

    EscoRelease.objects.create(version="unknown")  # a bundle that did not say which release
    assert attribution.format("") in footer(client)

    EscoRelease.objects.create(version="1.2.0")
    assert attribution.format(", v1.2.0") in footer(client)


@pytest.mark.parametrize(
    ("path", "language", "heading", "search_address"),
    [
        ("/opportunities/999999/", "en", "Page not found", "/"),
        ("/fr/opportunities/999999/", "fr", "Page introuvable", "/fr/"),
        ("/it/nowhere/", "it", "Pagina non trovata", "/it/"),
    ],
)
def test_a_missing_page_says_so_plainly_and_offers_a_way_back(
    client, path, language, heading, search_address
):
    response = client.get(path)
    assert response.status_code == 404
    assert "LearningOpportunity" not in response.text  # no model names, no debug text
    assert f'<html lang="{language}">' in response.text
    assert f"<h1>{heading}</h1>" in response.text
    # A search box and the home page: the two ways on from a dead address.
    assert re.search(rf'<form[^>]+action="{search_address}"[^>]*role="search"', response.text)
    assert '<input id="q" name="q" type="search"' in response.text
    assert re.search(rf'<a href="{search_address}">[^<]+</a>', response.text)
    assert 'rel="canonical"' not in response.text  # a missing page has no address to index


def french_spacing_faults(page: str) -> list[str]:
    """Where the text a visitor reads has a plain space, or none, before : ; ? !"""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    # Tags dropped without a space: "<strong>Savoirs</strong>:" reads "Savoirs:".
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    return re.findall(r".{0,30}[^\u00a0\u202f][:;?!](?=\s)", text)


def test_french_pages_keep_a_no_break_space_before_double_punctuation(client, course):
    """French sets a (narrow) no-break space before : ; ? ! so that the sign never starts a
    line; a plain space lets it wrap, no space reads as English."""
    client.cookies["django_language"] = "fr"
    with translation.override("fr"):
        addresses = [
            reverse("catalogue:search"),
            reverse("catalogue:opportunity-detail", args=[course.pk]),
            reverse("catalogue:about"),
            reverse("catalogue:compare"),
        ]
        levels = reverse("catalogue:browse-levels")
    for address in [*addresses, levels]:
        assert french_spacing_faults(client.get(address).text) == [], address
    assert "Vous apprendrez à\u00a0:" in html.unescape(client.get(addresses[0]).text)
    # The EQF descriptors come from the fixtures, with the typography of the messages.
    levels_page = html.unescape(client.get(levels).text)
    assert "<strong>Savoirs\u00a0:</strong>" in levels_page
    assert "domaine de travail ou d\u2019études\u202f; adapter" in levels_page


@pytest.mark.parametrize(
    ("language", "label"),
    [("fr", "Sciences de l\u2019éducation"), ("it", "Scienze dell\u2019educazione")],
)
def test_french_and_italian_labels_use_the_typographic_apostrophe(client, language, label):
    """The vocabularies read as the messages do (l\u2019éducation, not l'éducation), and a
    value typed with either apostrophe still names its field."""
    education = IscedField.objects.get(code="0111")
    make_opportunity(title="Teaching online").isced_fields.set([education])
    client.cookies["django_language"] = language
    with translation.override(language):
        addresses = [reverse("catalogue:browse-fields"), reverse("catalogue:search")]
    for address in addresses:
        text = text_of(client.get(address))
        assert label in text
        assert re.findall(r"\w'\w", text) == [], address
    vocabularies = Vocabularies()
    for typed in (label, label.replace("\u2019", "'")):
        assert vocabularies.isced(typed) == education


def edition_details(client, opportunity) -> str:
    page = client.get(reverse("catalogue:opportunity-detail", args=[opportunity.pk])).text
    return text_of_html(re.search(r'<td data-label="Details"[^>]*>(.*?)</td>', page)[1])


def test_an_editions_details_start_with_a_detail_not_a_separator(client, course):
    Edition.objects.filter(opportunity=course).update(
        learning_schedule=concept(Scheme.LEARNING_SCHEDULE, "67395e6b5a"), places=16
    )
    assert edition_details(client, course) == "4 months · Part time light 16 places"

    Edition.objects.filter(opportunity=course).update(duration="")
    assert edition_details(client, course) == "Part time light 16 places"


def test_a_recognised_opportunity_names_its_level_in_the_pages_language(client, course):
    course.eqf_level = EqfLevel.objects.get(level=6)
    course.save()
    agreement = make_agreement(
        make_organisation("Università di Esempio"), [course.provider], [course]
    )
    client.cookies["django_language"] = "fr"
    with translation.override("fr"):
        address = reverse("recognition:agreement", args=[agreement.pk])
    items = text_of_html(
        re.search(r'<table class="items">(.*?)</table>', client.get(address).text, re.S)[1]
    )
    assert f"{course.provider.name} · Niveau CEC 6" in items


def broken_page(request):
    raise RuntimeError("a bug")


# The project's addresses and error handlers, and a page with a bug.
urlpatterns = [path("broken/", broken_page), *urls.urlpatterns]
handler404, handler500 = urls.handler404, urls.handler500


@pytest.mark.urls(__name__)
def test_a_server_error_says_so_in_the_learners_language_and_offers_a_way_back():
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "fr"
    response = client.get("/broken/")
    assert response.status_code == 500
    page = html.unescape(response.text)
    assert "a bug" not in page
    assert '<html lang="fr">' in page
    assert "<h1>Une erreur s’est produite</h1>" in page
    assert '<a href="/fr/">Retour à la page d’accueil</a>' in page
