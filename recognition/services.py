"""Writes on agreements, decisions and pathways, and the people who make them."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.search.indexing import opportunities_touched
from descriptors.models import LearningOpportunity, Organisation
from descriptors.services import organisation_member_add
from recognition.models import Agreement, AgreementItem, Pathway, RecognitionDecision
from recognition.pathways import pathway_validate

RECOGNITION_OFFICER_GROUP = "Recognition officers"
RECOGNITION_OFFICER_PERMISSIONS = {
    "recognition": [
        f"{action}_{model}"
        for model in (
            "agreement",
            "agreementitem",
            "recognitiondecision",
            "targetcourse",
            "pathway",
            "pathwaystep",
        )
        for action in ("view", "add", "change", "delete")
    ],
    # To choose the opportunities an agreement covers (published ones, any provider).
    "descriptors": ["view_learningopportunity", "view_organisation"],
    "taxonomies": ["view_escoskill"],
}


def recognition_officer_group() -> Group:
    group, _created = Group.objects.get_or_create(name=RECOGNITION_OFFICER_GROUP)
    group.permissions.set(
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codenames in RECOGNITION_OFFICER_PERMISSIONS.items()
        for codename in codenames
    )
    return group


@transaction.atomic
def recognition_officer_add(*, user, organisation: Organisation) -> None:
    """Let ``user`` record agreements, decisions and pathways for ``organisation``."""
    organisation_member_add(user=user, organisation=organisation)
    user.groups.add(recognition_officer_group())


def _providers_problems(agreement: Agreement, items) -> list[str]:
    providers = set(agreement.providers.values_list("pk", flat=True))
    problems = []
    for item in items:
        opportunity = item.opportunity
        if opportunity.provider_id not in providers:
            problems.append(
                _("'%(title)s' is provided by %(provider)s, which is not a party.")
                % {"title": opportunity.title, "provider": opportunity.provider.name}
            )
        if opportunity.status != LearningOpportunity.Status.PUBLISHED:
            problems.append(
                _("'%(title)s' is not published in the catalogue.") % {"title": opportunity.title}
            )
    return problems


def _credits_problems(items) -> list[str]:
    """Credits an item may no longer give (the agreement's cap or the opportunity's ECTS
    lowered since the item was saved)."""
    problems = []
    for item in items:
        try:
            item.clean()
        except ValidationError as error:
            problems += [f"'{item.opportunity.title}': {message}" for message in error.messages]
    return problems


def _require_draft(agreement: Agreement) -> None:
    if agreement.is_locked_in_database():
        raise ValidationError(_("An approved agreement cannot be changed; create a new version."))


@transaction.atomic
def agreement_save(
    *, agreement: Agreement, values: dict, providers: list | None, items: list[dict] | None
) -> Agreement:
    """Create or change a draft: its fields, parties and (when given) the items, which replace
    the old ones. Validates everything first; writes nothing when anything is invalid."""
    if agreement.pk:
        _require_draft(agreement)
    for name, value in values.items():
        setattr(agreement, name, value)
    agreement.full_clean()
    new_items = [
        AgreementItem(agreement=agreement, position=index, **row)
        for index, row in enumerate(items or [])
    ]
    errors = {}
    for index, item in enumerate(new_items):
        try:
            item.full_clean(exclude=["agreement"])
        except ValidationError as error:
            errors[f"items[{index}]"] = error.messages
    if errors:
        raise ValidationError(errors)
    agreement.save()
    if providers is not None:
        agreement.providers.set(providers)
    if items is not None:
        agreement.items.all().delete()
        AgreementItem.objects.bulk_create(new_items)
    return agreement


@transaction.atomic
def agreement_approve(*, agreement: Agreement, by_user=None, by_name: str) -> Agreement:
    """Approve a draft: from now on it is immutable. An earlier approved version of the same
    agreement is retired, so one version is in force at a time."""
    _require_draft(agreement)
    items = list(agreement.items.select_related("opportunity__provider"))
    problems = [] if items else [_("An agreement needs at least one recognised opportunity.")]
    problems += _providers_problems(agreement, items)
    problems += _credits_problems(items)
    if agreement.valid_until and agreement.valid_until < timezone.localdate():
        problems.append(_("The agreement would already have expired."))
    if problems:
        raise ValidationError(problems)
    agreement.full_clean()
    earlier = list(
        Agreement.objects.filter(series=agreement.series, status=Agreement.Status.APPROVED)
    )
    for version in earlier:
        _retire(version)
    agreement.status = Agreement.Status.APPROVED
    agreement.approved_by = by_user
    agreement.approved_by_name = by_name
    agreement.approved_at = timezone.now()
    agreement.save()
    opportunities_touched(item.opportunity_id for item in items)
    return agreement


def _retire(agreement: Agreement) -> None:
    agreement.status = Agreement.Status.RETIRED
    agreement.retired_at = timezone.now()
    agreement.save(update_fields=["status", "retired_at", "modified"])
    opportunities_touched(agreement.items.values_list("opportunity_id", flat=True))


@transaction.atomic
def agreement_retire(*, agreement: Agreement) -> Agreement:
    if agreement.status != Agreement.Status.APPROVED:
        raise ValidationError(_("Only an approved agreement can be retired."))
    _retire(agreement)
    return agreement


@transaction.atomic
def agreement_new_version(*, agreement: Agreement) -> Agreement:
    """A draft copy of an approved or retired version, to change and approve in its place."""
    if agreement.is_draft:
        raise ValidationError(_("This version is a draft: change it directly."))
    draft = Agreement.objects.filter(series=agreement.series, status=Agreement.Status.DRAFT).first()
    if draft is not None:
        raise ValidationError(
            _("Version %(version)s is already being drafted.") % {"version": draft.version}
        )
    latest = Agreement.objects.filter(series=agreement.series).aggregate(Max("version"))
    providers = list(agreement.providers.all())
    items = list(agreement.items.all())
    copy = Agreement.objects.get(pk=agreement.pk)
    copy.pk = None
    copy.version = latest["version__max"] + 1
    copy.status = Agreement.Status.DRAFT
    copy.approved_by, copy.approved_by_name = None, ""
    copy.approved_at = copy.retired_at = None
    copy.save()
    copy.providers.set(providers)
    for item in items:
        item.pk = None
        item.agreement = copy
    AgreementItem.objects.bulk_create(items)
    return copy


@transaction.atomic
def decision_save(*, decision: RecognitionDecision, values: dict) -> RecognitionDecision:
    for name, value in values.items():
        setattr(decision, name, value)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def pathway_save(*, pathway: Pathway, steps) -> Pathway:
    """Save a pathway whose rules its steps can meet (steps: unsaved ``PathwayStep``s)."""
    pathway.full_clean()
    pathway_validate(pathway, steps)
    pathway.save()
    pathway.steps.all().delete()
    for position, step in enumerate(steps):
        step.pathway, step.position = pathway, position
        step.save()
    return pathway
