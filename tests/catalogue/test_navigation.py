"""Ways around the catalogue: provider pages, the "about" page, header links, favicon,
sitemap.xml, robots.txt and canonical links."""

import html
import re
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.urls import reverse

from catalogue.sitemaps import OpportunitySitemap
from descriptors.models import LearningOpportunity
from taxonomies.models import Scheme
from tests.builders import concept, make_agreement, make_opportunity, make_organisation, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    organisation = make_organisation(
        "Leica Camera Italia",
        provider_type="company",
        city="Milan",
        website="https://leica.example/",
        description="Photography courses led by professional photographers.",
    )
    for title in ("Street photography", "Portrait photography"):
        make_opportunity(
            organisation,
            title=title,
            quality_assurance_type=concept(Scheme.QUALITY_ASSURANCE, "internal-hei"),
        )
    make_opportunity(organisation, title="Unpublished draft", status="draft")
    return organisation


def test_provider_page_says_who_they_are_and_lists_their_offer(client, provider):
    page = text_of(client.get(reverse("catalogue:provider", args=[provider.pk])))
    assert "Photography courses led by professional photographers." in page
    assert "Type of provider Company" in page
    assert "Country Milan, Italy" in page
    assert "https://leica.example/" in page
    qa = str(concept(Scheme.QUALITY_ASSURANCE, "internal-hei"))
    assert f"Quality assurance {qa} (2 learning opportunities)" in page
    assert "2 learning opportunities" in page
    assert "Street photography" in page and "Portrait photography" in page
    assert "Unpublished draft" not in page


def test_provider_page_lists_the_agreements_that_recognise_its_offer(client, provider):
    university = make_organisation("Università Iuav di Venezia")
    opportunity = LearningOpportunity.objects.filter(provider=provider).first()
    make_agreement(university, [provider], [opportunity], title="Iuav recognises Leica")
    page = text_of(client.get(reverse("catalogue:provider", args=[provider.pk])))
    assert "Recognition agreements" in page
    assert "Iuav recognises Leica – Università Iuav di Venezia" in page

    # The recognising university's own page links to what it recognises.
    page = text_of(client.get(reverse("catalogue:provider", args=[university.pk])))
    assert "What Università Iuav di Venezia recognises from other providers" in page


def test_unknown_provider_is_not_found(client):
    assert client.get(reverse("catalogue:provider", args=[999999])).status_code == 404


def test_cards_and_pages_link_to_the_provider(client, provider):
    opportunity = LearningOpportunity.objects.published().filter(provider=provider).first()
    provider_url = reverse("catalogue:provider", args=[provider.pk])
    assert f'href="{provider_url}"' in client.get(reverse("catalogue:search")).text
    detail = client.get(reverse("catalogue:opportunity-detail", args=[opportunity.pk])).text
    assert f'href="{provider_url}"' in detail
    assert f'href="{provider_url}"' in client.get(reverse("catalogue:browse-providers")).text


def test_about_page_explains_the_terms_in_plain_words(client):
    page = text_of(client.get(reverse("catalogue:about")))
    for heading in (
        "What is a micro-credential?",
        "ECTS credits",
        "EQF levels",
        "ISCED-F fields",
        "ESCO skills",
    ):
        assert heading in page
    assert "One ECTS credit is 25 to 30 hours of study" in page
    assert "EQF level 6 : like a bachelor's degree" in page


def test_header_links_to_recognition_about_and_the_api_and_has_a_favicon(client):
    page = client.get(reverse("catalogue:search")).text
    for url in (
        reverse("recognition:institutions"),
        reverse("catalogue:about"),
        reverse("api:docs"),
    ):
        assert f'href="{url}"' in page
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', page)
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301
    assert favicon["Location"].endswith("favicon.svg")


def test_sitemap_lists_published_opportunities_and_providers(client, provider):
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert "http://testserver/sitemap-opportunities.xml" in index.text
    opportunities = client.get("/sitemap-opportunities.xml").text
    for opportunity in LearningOpportunity.objects.filter(provider=provider):
        url = f"http://testserver/opportunities/{opportunity.pk}/"
        assert (url in opportunities) == (opportunity.status == "published")
    providers = client.get("/sitemap-providers.xml").text
    assert f"http://testserver/providers/{provider.pk}/" in providers
    assert "http://testserver/about/" in client.get("/sitemap-pages.xml").text


def test_sitemap_lists_every_address_in_every_language_with_its_alternates(client, provider):
    opportunity = LearningOpportunity.objects.filter(provider=provider, status="published").first()
    sitemap = ElementTree.fromstring(client.get("/sitemap-opportunities.xml").content)
    names = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "x": "http://www.w3.org/1999/xhtml",
    }
    entries = {
        entry.findtext("s:loc", namespaces=names): {
            link.get("hreflang"): link.get("href") for link in entry.findall("x:link", names)
        }
        for entry in sitemap.findall("s:url", names)
    }
    english = f"http://testserver/opportunities/{opportunity.pk}/"
    languages = [code for code, _ in settings.LANGUAGES]
    addresses = [english] + [
        f"http://testserver/{code}/opportunities/{opportunity.pk}/" for code in languages[1:]
    ]
    assert all(address in entries for address in addresses)
    # Each address names all of them, and the English one as the default.
    assert entries[addresses[3]] == dict(zip(languages, addresses, strict=True)) | {
        "x-default": english
    }
    assert client.get(addresses[3].removeprefix("http://testserver")).status_code == 200


def test_a_long_sitemap_is_split_without_losing_or_repeating_an_address(
    client, provider, monkeypatch
):
    for number in range(5):
        make_opportunity(provider, title=f"Landscape photography {number}")
    expected = LearningOpportunity.objects.published().count() * len(settings.LANGUAGES)
    monkeypatch.setattr(OpportunitySitemap, "limit", 4)
    pages = -(-expected // 4)
    assert f"sitemap-opportunities.xml?p={pages}" in client.get("/sitemap.xml").text
    addresses = [
        address
        for page in range(1, pages + 1)
        for address in re.findall(
            "<loc>(.*?)</loc>", client.get(f"/sitemap-opportunities.xml?p={page}").text
        )
    ]
    assert len(addresses) == len(set(addresses)) == expected


def test_robots_txt_points_to_the_sitemap(client):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in robots.text
    assert "Disallow: /admin/" in robots.text


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/about/", "http://testserver/about/"),
        ("/?sort=title&q=data&eqf=6", "http://testserver/?eqf=6&q=data"),
        ("/?eqf=6&q=data&skill_term=pyt", "http://testserver/?eqf=6&q=data"),
    ],
)
def test_canonical_link_leaves_out_presentation_parameters(client, path, canonical):
    page = client.get(path).text
    assert f'<link rel="canonical" href="{html.escape(canonical)}">' in page
