"""The admin form's rules for an opportunity and its editions, as every writer checks them."""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from descriptors.models import Edition, Grant, LearningOpportunity
from taxonomies.models import Concept

REQUIRED_RELATIONS = {
    "languages": _("Give at least one language of instruction."),
    "isced_fields": _("Give at least one ISCED-F field."),
}


def opportunity_validate(
    *,
    opportunity: LearningOpportunity,
    relations: dict[str, list],
    references_resolved: bool = False,
) -> None:
    """Check an opportunity against the admin form's rules; raise ``ValidationError`` with
    field messages.

    ``relations`` are the many-to-many descriptors about to be set. A bulk writer that loaded
    every referenced record itself and checks its identifiers across the whole file
    (``references_resolved``) skips the look-ups that cost a query per record (does each foreign
    key exist, is the identifier unique); ``clean()`` still checks the dates.
    """
    exclude = list(relations)
    if references_resolved:
        exclude += [
            field.name
            for field in opportunity._meta.concrete_fields
            if field.is_relation and getattr(opportunity, field.attname) is not None
        ]
    opportunity.full_clean(
        exclude=exclude,
        validate_unique=not references_resolved,
        validate_constraints=not references_resolved,
    )
    missing = {
        name: [message]
        for name, message in REQUIRED_RELATIONS.items()
        if name in relations and not relations[name]
    }
    if opportunity.pk is None:
        missing |= {
            name: [message] for name, message in REQUIRED_RELATIONS.items() if name not in relations
        }
    if missing:
        raise ValidationError(missing)
    if opportunity.region_id is not None:
        if "countries" in relations:
            region_in_countries_check(opportunity.region, relations["countries"])
        elif opportunity.pk is not None and not references_resolved:
            region_in_countries_check(opportunity.region, list(opportunity.countries.all()))


# NUTS spells two countries otherwise than ISO 3166-1 alpha-2.
NUTS_COUNTRY_CODES = {"EL": "GR", "UK": "GB"}


def region_in_countries_check(region: Concept | None, countries: list) -> None:
    """Raise ``ValidationError`` on ``region`` when it lies in none of ``countries`` (concepts
    or their ids); a record that names no country is not checked."""
    if region is None or not countries:
        return
    if not all(isinstance(country, Concept) for country in countries):
        countries = list(Concept.objects.filter(pk__in=[getattr(c, "pk", c) for c in countries]))
    alpha2 = NUTS_COUNTRY_CODES.get(region.code[:2], region.code[:2])
    if not any(country.short_code.upper() == alpha2 for country in countries):
        names = ", ".join(sorted(country.localized_label for country in countries))
        raise ValidationError(
            {
                "region": _(
                    "This region is in none of the countries where it takes place (%(countries)s)."
                )
                % {"countries": names}
            }
        )


def grant_validate(grant: dict) -> None:
    """Raise ``ValidationError`` when a grant given as a dict (title, description, homepage)
    breaks a rule of the model, with one message that names the grant and its fields, for the
    imports to report beside the record."""
    try:
        Grant(**grant).full_clean(exclude=["opportunity"])
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        raise ValidationError(f"Grant {grant['title'][:60]!r}: {problems}") from error


EDITION_RELATIONS = ("modes", "languages")
# What an edition holds of what a record held before editions (decision 0012).
EDITION_VALUES = (
    "any_start_date",
    "start_date",
    "end_date",
    "application_deadline",
    "duration",
    "learning_schedule",
    "schedule_information",
    "is_free",
    "fee_amount",
    "currency",
    "fee_note",
)


def edition_validate(*, opportunity: LearningOpportunity, values: dict) -> dict:
    """Check one edition of ``opportunity`` against the admin form's rules; raise
    ``ValidationError`` with field messages. ``values`` are its fields by name (references as
    instances); ``id`` names the existing edition it replaces. Returns the values as the model
    holds them (a date given as text becomes a date)."""
    fields = {
        name: value
        for name, value in values.items()
        if name not in EDITION_RELATIONS and name != "id"
    }
    edition = Edition(opportunity=opportunity, pk=values.get("id"), **fields)
    edition.full_clean(exclude=["opportunity", *EDITION_RELATIONS], validate_unique=False)
    return {
        name: getattr(edition, name) if name in fields else value for name, value in values.items()
    }


def _edition_field_label(name: str) -> str:
    try:
        return str(Edition._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def editions_validate(*, opportunity: LearningOpportunity, editions: list[dict]) -> list[dict]:
    """Check an opportunity's whole new set of editions: each on its own
    (``edition_validate``), their codes unique, their ids its own. Messages name the edition
    by its place in the list. Returns the editions with their values as the model holds them
    (a date given as text becomes a date)."""
    given_ids = any(values.get("id") is not None for values in editions)
    known = set(opportunity.editions.values_list("pk", flat=True)) if given_ids else set()
    errors, cleaned = [], []
    references = [values.get("reference", "") for values in editions]
    for number, values in enumerate(editions, start=1):
        problems = []
        try:
            cleaned.append(edition_validate(opportunity=opportunity, values=values))
        except ValidationError as error:
            problems += [
                f"{_edition_field_label(name)}: {message}" if name != "__all__" else message
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        if values.get("id") is not None and values["id"] not in known:
            problems.append(str(_("No edition of this opportunity has this id.")))
        if values.get("reference") and references.count(values["reference"]) > 1:
            problems.append(str(_("Two editions have the same code.")))
        errors += [
            _("Edition %(number)s: %(problem)s") % {"number": number, "problem": problem}
            for problem in problems
        ]
    if errors:
        raise ValidationError({"editions": errors})
    return cleaned
