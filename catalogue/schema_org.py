"""schema.org ``Course`` JSON-LD for a learning opportunity's page (search engines read it)."""

from descriptors.models import LearningOpportunity


def course_jsonld(opportunity: LearningOpportunity, url: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "@id": url,
        "url": url,
        "name": opportunity.title,
        "description": opportunity.description,
        "inLanguage": [
            language.short_code or language.code for language in opportunity.languages.all()
        ],
        "provider": {
            "@type": "Organization",
            "name": opportunity.provider.name,
            **({"url": opportunity.provider.website} if opportunity.provider.website else {}),
        },
        "teaches": [
            skill.preferred_label
            for outcome in opportunity.outcomes.all()
            for skill in outcome.skills.all()
        ],
        "educationalCredentialAwarded": str(opportunity.credential_type or ""),
        "about": [str(field) for field in opportunity.isced_fields.all()],
    }
    if opportunity.eqf_level_id:
        data["educationalLevel"] = {
            "@type": "DefinedTerm",
            "name": f"EQF level {opportunity.eqf_level_id}",
            "url": opportunity.eqf_level.uri,
        }
    if opportunity.ects_credits is not None:
        data["numberOfCredits"] = {
            "@type": "StructuredValue",
            "value": float(opportunity.ects_credits),
            "unitText": "ECTS",
        }
    if opportunity.workload_hours:
        data["timeRequired"] = f"PT{opportunity.workload_hours}H"
    editions = opportunity.current_editions or opportunity.past_editions[:1]
    data["offers"] = [_offer(edition) for edition in editions]
    data["hasCourseInstance"] = [_course_instance(opportunity, edition) for edition in editions]
    return {key: value for key, value in data.items() if value not in ("", [], None)}


def _offer(edition) -> dict:
    offer = {"@type": "Offer", "category": "Free" if edition.is_free else "Paid"}
    if edition.is_free:
        offer["price"] = 0
    elif edition.fee_amount is not None and edition.currency:
        offer.update(price=float(edition.fee_amount), priceCurrency=edition.currency.code)
    return offer


def _course_instance(opportunity, edition) -> dict:
    instance = {
        "@type": "CourseInstance",
        "courseMode": [mode.label for mode in edition.effective_modes],
    }
    if edition.start_date:
        instance["startDate"] = edition.start_date.isoformat()
    if edition.end_date:
        instance["endDate"] = edition.end_date.isoformat()
    if opportunity.workload_hours:
        instance["courseWorkload"] = f"PT{opportunity.workload_hours}H"
    return instance
