"""schema.org JSON-LD that search engines read: a ``Course`` on an opportunity's page, an
``ItemList`` of the results on the search page.

It follows Google's documented course markup (developers.google.com/search/docs/appearance/
structured-data/course-info): texts in the page's language, ``courseMode`` one of Online,
Onsite or Blended, an offer only with its price (or free), one ``CourseInstance`` per start.
"""

from collections.abc import Callable, Iterable

from django.utils.translation import gettext

from descriptors.models import LearningOpportunity

# ELM learning-assessment modes by the place Google's courseMode asks for. Project-based
# learning says how, not where: it gives no courseMode.
ONLINE = {"http://data.europa.eu/snb/learning-assessment/920fbb3cbe"}
ONSITE = {
    "http://data.europa.eu/snb/learning-assessment/9191af2ed9",  # presential
    "http://data.europa.eu/snb/learning-assessment/729f3bed4b",  # work-based
    "http://data.europa.eu/snb/learning-assessment/ed4c557045",  # research-lab based
}
BLENDED = {"http://data.europa.eu/snb/learning-assessment/e92d221e4d"}


def course_mode(mode_uris: set[str]) -> str | None:
    """Google's courseMode for a session given in these ELM modes."""
    online, onsite = bool(mode_uris & ONLINE), bool(mode_uris & ONSITE)
    if mode_uris & BLENDED or (online and onsite):
        return "Blended"
    if online:
        return "Online"
    return "Onsite" if onsite else None


def _offer(session) -> dict | None:
    """What the session costs; an unknown fee gives no offer rather than a price-less one."""
    if session.is_free:
        return {"@type": "Offer", "category": "Free", "price": 0}
    if session.fee_amount is None or session.currency is None:
        return None
    return {
        "@type": "Offer",
        "category": "Paid",
        "price": float(session.fee_amount),
        "priceCurrency": session.currency.code,
    }


def _hours(hours: int | None) -> str | None:
    return f"PT{hours}H" if hours else None


def _sessions(opportunity: LearningOpportunity) -> list:
    """The editions a search engine should show: those to come and running, else the latest
    past one (a course between runs is still a course)."""
    return opportunity.current_editions or opportunity.past_editions[:1]


def _course_instance(session, opportunity: LearningOpportunity) -> dict:
    instance = {
        "@type": "CourseInstance",
        "courseMode": course_mode({mode.uri for mode in session.effective_modes}),
        "startDate": session.start_date.isoformat() if session.start_date else None,
        "endDate": session.end_date.isoformat() if session.end_date else None,
        "location": session.effective_location or None,
        "courseWorkload": _hours(opportunity.workload_hours),
        "offers": _offer(session),
    }
    return {key: value for key, value in instance.items() if value is not None}


def course_jsonld(opportunity: LearningOpportunity, url: str) -> dict:
    """The ``Course``, its texts in the active language (the page's)."""
    sessions = _sessions(opportunity)
    offers = [offer for offer in map(_offer, sessions) if offer]
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "@id": url,
        "url": url,
        "name": opportunity.localized_title,
        "description": opportunity.localized_description,
        "inLanguage": [
            language.short_code or language.code for language in opportunity.languages.all()
        ],
        "provider": {
            "@type": "Organization",
            "name": opportunity.provider.name,
            **({"url": opportunity.provider.website} if opportunity.provider.website else {}),
        },
        "teaches": sorted(
            {
                skill.localized_label
                for outcome in opportunity.outcomes.all()
                for skill in outcome.skills.all()
            }
        ),
        "educationalCredentialAwarded": (
            opportunity.credential_type.localized_label if opportunity.credential_type else ""
        ),
        "about": [field.localized_name for field in opportunity.isced_fields.all()],
        "offers": offers,
        "financialAidEligible": [grant.title for grant in opportunity.grants.all()],
        "hasCourseInstance": [_course_instance(session, opportunity) for session in sessions],
    }
    if opportunity.eqf_level_id:
        data["educationalLevel"] = {
            "@type": "DefinedTerm",
            "name": gettext("EQF level %(level)s") % {"level": opportunity.eqf_level_id},
            "url": opportunity.eqf_level.uri,
        }
    if opportunity.ects_credits is not None:
        # numberOfCredits takes a StructuredValue; value and unitText belong to its
        # subtype QuantitativeValue.
        data["numberOfCredits"] = {
            "@type": "QuantitativeValue",
            "value": float(opportunity.ects_credits),
            "unitText": "ECTS",
        }
    if opportunity.workload_hours:
        data["timeRequired"] = _hours(opportunity.workload_hours)
    return {key: value for key, value in data.items() if value not in ("", [], None)}


def search_results_jsonld(
    opportunities: Iterable[LearningOpportunity], url_of: Callable[[int], str], *, first: int
) -> dict:
    """The page's results as an ``ItemList`` of links (Google's "summary page" list)."""
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "url": url_of(opportunity.pk)}
            for position, opportunity in enumerate(opportunities, start=first)
        ],
    }
