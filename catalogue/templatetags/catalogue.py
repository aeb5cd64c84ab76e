import json
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import translate_url
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from catalogue import learner
from catalogue.extensions import BROWSE_LINKS

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current search URL on another page."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@register.simple_tag
def facet_values(key: str, values) -> str:
    """The checkbox list of a facet, nested for trees (Python, not a recursive include: this is
    the hottest part of the search page)."""
    return _facet_list(key, values)


def _facet_list(key: str, values) -> str:
    items = format_html_join(
        "\n",
        '<li><input type="checkbox" name="{0}" value="{1}" id="{0}-{1}"{2}>'
        ' <label for="{0}-{1}">{3} <span class="count">{4}</span></label>{5}</li>',
        (
            (
                key,
                value.key,
                mark_safe(" checked") if value.selected else "",
                value.label,
                value.count,
                _facet_list(key, value.children) if value.children else "",
            )
            for value in values
        ),
    )
    return format_html('<ul class="facet-values">{}</ul>', items)


@register.filter
def jsonld(data: dict) -> str:
    """A JSON-LD script element, escaped like ``json_script`` so text cannot close the tag."""
    encoded = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for character, escaped in (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026")):
        encoded = encoded.replace(character, escaped)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))


@register.simple_tag
def browse_links() -> list:
    """Browse pages other apps add (see ``catalogue.extensions``)."""
    return BROWSE_LINKS


@register.filter
def duration_words(iso: str) -> str:
    """An ISO 8601 duration in words: "P4M" -> "4 months"."""
    return learner.duration_in_words(iso)


@register.filter
def price(edition) -> str:
    """What an edition costs, in the visitor's currency format: "€800", "Free"."""
    return learner.price_label(edition)


@register.filter
def eqf_hint(level) -> str:
    """What an EQF level (a level or its number) is like, in plain words."""
    return learner.eqf_hint(getattr(level, "level", level))


@register.filter
def next_start(opportunity) -> str:
    """When a learner can start, in words: "Starts 9 Feb 2026", "Start any time"."""
    return learner.next_start(opportunity, timezone.localdate()).label


@register.filter
def application_status(edition) -> str:
    return learner.application_status(edition, timezone.localdate())


@register.simple_tag
def call_to_action(opportunity):
    """The page's main button ("Apply by <deadline>" / "Go to the course"), or None."""
    return learner.call_to_action(opportunity, timezone.localdate())


# French sets a no-break space before double punctuation, so that the mark never starts a
# line: a full one before the colon, a narrow one before the others.
FRENCH_SPACE_BEFORE = {":": "\u00a0", ";": "\u202f", "?": "\u202f", "!": "\u202f"}


@register.simple_tag
def punctuation(mark: str) -> str:
    """A mark a template writes after a label or between values ("; " to join a list), spaced
    as the page's language sets it: "Skills:" in English, "Aptitudes :" in French."""
    if get_language() == "fr":
        return FRENCH_SPACE_BEFORE.get(mark[:1], "") + mark
    return mark


# Parameters that change how a page is shown, not what it is about.
NOT_CANONICAL = {"sort", "skill_term", "provider_term"}


def _canonical_query(request) -> str:
    query = sorted(
        (key, value)
        for key, values in request.GET.lists()
        if key not in NOT_CANONICAL
        for value in values
        if value
    )
    return f"?{urlencode(query)}" if query else ""


def _page_in(request, language: str) -> str:
    """The absolute address of the request's page in a language (its language prefix)."""
    return translate_url(request.build_absolute_uri(request.path), language)


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's address for search engines: absolute, in the language it is shown in, without
    presentation parameters, the remaining ones in a fixed order so that one page has one
    address."""
    request = context["request"]
    return _page_in(request, get_language()) + _canonical_query(request)


@register.simple_tag(takes_context=True)
def language_alternates(context) -> list[tuple[str, str]]:
    """(hreflang, address) of the page in every interface language, and the unprefixed address
    as x-default (it answers in the visitor's language)."""
    request = context["request"]
    query = _canonical_query(request)
    alternates = [(code, _page_in(request, code) + query) for code, _name in settings.LANGUAGES]
    return [*alternates, ("x-default", _page_in(request, settings.LANGUAGE_CODE) + query)]
