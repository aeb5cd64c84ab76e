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
    offer = {"@type": "Offer", "category": "Free" if opportunity.is_free else "Paid"}
    if opportunity.is_free:
        offer["price"] = 0
    elif opportunity.fee_amount is not None and opportunity.currency:
        offer.update(price=float(opportunity.fee_amount), priceCurrency=opportunity.currency.code)
    data["offers"] = [offer]
    instance = {
        "@type": "CourseInstance",
        "courseMode": [mode.label for mode in opportunity.modes.all()],
    }
    if opportunity.start_date:
        instance["startDate"] = opportunity.start_date.isoformat()
    if opportunity.end_date:
        instance["endDate"] = opportunity.end_date.isoformat()
    if opportunity.workload_hours:
        instance["courseWorkload"] = f"PT{opportunity.workload_hours}H"
    data["hasCourseInstance"] = [instance]
    return {key: value for key, value in data.items() if value not in ("", [], None)}
