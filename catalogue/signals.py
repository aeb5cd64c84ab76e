"""Re-index and log every change to what the catalogue shows (see ``search_index``)."""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from catalogue.models import CatalogueChange
from catalogue.search.indexing import (
    deferred_indexing,
    indexing_deferral_end,
    indexing_deferral_start,
    opportunities_touched,
    opportunity_changed,
    opportunity_deletion_started,
)
from descriptors.models import Edition, LearningOpportunity, LearningOutcome, Organisation
from descriptors.selectors import opportunities_naming
from descriptors.services import CHILDREN, opportunities_touch
from descriptors.signals import (
    bulk_write_finished,
    bulk_write_started,
    opportunities_bulk_saved,
)
from taxonomies.models import Concept, EqfLevel, EscoSkill, EscoSkillLabel, IscedField, NqfLevel
from taxonomies.signals import concepts_changed

CHILD_MODELS = tuple(CHILDREN.values())
M2M_FIELDS = (
    LearningOpportunity.co_providers,
    LearningOpportunity.awarding_bodies,
    LearningOpportunity.countries,
    LearningOpportunity.languages,
    LearningOpportunity.target_groups,
    LearningOpportunity.modes,
    LearningOpportunity.isced_fields,
)


def _event(created: bool) -> str:
    return CatalogueChange.Kind.CREATED if created else CatalogueChange.Kind.UPDATED


@receiver(post_save, sender=LearningOpportunity)
def _opportunity_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        opportunity_changed(instance.pk, _event(created))


@receiver(opportunities_bulk_saved)
def _opportunities_bulk_saved(sender, created, changed, **kwargs):
    with deferred_indexing():
        for opportunities, were_created in ((created, True), (changed, False)):
            for opportunity in opportunities:
                opportunity_changed(opportunity.pk, _event(were_created))


@receiver(pre_delete, sender=LearningOpportunity)
def _opportunity_deleting(sender, instance, **kwargs):
    opportunity_deletion_started(instance.pk)


@receiver(post_delete, sender=LearningOpportunity)
def _opportunity_deleted(sender, instance, **kwargs):
    opportunity_changed(instance.pk, CatalogueChange.Kind.DELETED)


def _child_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        opportunity_changed(instance.opportunity_id)


for child in CHILD_MODELS:
    post_save.connect(_child_changed, sender=child, dispatch_uid=f"index-{child.__name__}-save")
    post_delete.connect(_child_changed, sender=child, dispatch_uid=f"index-{child.__name__}-del")


def _opportunity_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        # Changed from the other side (e.g. organisation.co_provided.add(...)).
        for pk in pk_set or []:
            opportunity_changed(pk)
    else:
        opportunity_changed(instance.pk)


for descriptor in M2M_FIELDS:
    m2m_changed.connect(_opportunity_m2m_changed, sender=descriptor.through, weak=False)


def _child_m2m_changed(sender, instance, action, reverse, pk_set, model, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        children = model.objects.filter(pk__in=pk_set or [])
        # Unsorted: the default order's columns would be part of what DISTINCT compares.
        opportunities = children.order_by().values_list("opportunity_id", flat=True).distinct()
        for opportunity_id in opportunities:
            opportunity_changed(opportunity_id)
    else:
        opportunity_changed(instance.opportunity_id)


for child_field in (LearningOutcome.skills, Edition.modes, Edition.languages):
    m2m_changed.connect(_child_m2m_changed, sender=child_field.through, weak=False)


@receiver(post_save, sender=Organisation)
def _organisation_saved(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return
    related = LearningOpportunity.objects.filter(
        Q(provider=instance) | Q(co_providers=instance) | Q(hosted_by=instance)
    ).values_list("pk", flat=True)
    for pk in set(related):
        opportunity_changed(pk)


@receiver(pre_delete, sender=Organisation)
def _organisation_deleting(sender, instance, **kwargs):
    # Its co-provider and awarding-body links go with it, silently (no m2m signal): note
    # whose descriptors change before they are gone.
    instance._opportunities_changed = {
        *instance.co_provided.values_list("pk", flat=True),
        *instance.awarded.values_list("pk", flat=True),
    }


@receiver(post_delete, sender=Organisation)
def _organisation_deleted(sender, instance, **kwargs):
    ids = getattr(instance, "_opportunities_changed", set())
    if ids:
        opportunities_touch(ids=ids, change_reason=f"organisation deleted: {instance.name}"[:100])


@receiver(bulk_write_started)
def _defer_indexing(sender, **kwargs):
    indexing_deferral_start()


@receiver(bulk_write_finished)
def _index_bulk_write(sender, completed: bool, **kwargs):
    indexing_deferral_end(completed=completed)


# The vocabularies whose concepts records show: a label changed in the admin, by a reloaded
# fixture or by a new ESCO release must reach every record naming the concept (its cached
# answers, ETag and facet labels move on with its change-log entry).
VOCABULARIES = (Concept, EqfLevel, IscedField, NqfLevel, EscoSkill)
# Those whose labels are also part of the text records are found by (``search.indexing``).
SEARCHED_VOCABULARIES = (EscoSkill,)


@receiver(concepts_changed)
def _concepts_changed(sender, ids, **kwargs) -> int:
    opportunity_ids = opportunities_naming(sender, ids)
    opportunities_touched(opportunity_ids, reindex=sender in SEARCHED_VOCABULARIES)
    return len(opportunity_ids)


def _concept_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:  # a new concept is named by no record yet
        _concepts_changed(sender, [instance.pk])


def _concept_deleting(sender, instance, **kwargs):
    # The records' links to it go with it, silently: note who named it before they are gone.
    instance._naming_opportunities = opportunities_naming(sender, [instance.pk])


def _concept_deleted(sender, instance, **kwargs):
    opportunities_touched(
        getattr(instance, "_naming_opportunities", ()),
        reindex=sender in SEARCHED_VOCABULARIES,
    )


for vocabulary in VOCABULARIES:
    post_save.connect(
        _concept_saved, sender=vocabulary, dispatch_uid=f"shown-{vocabulary.__name__}"
    )
    pre_delete.connect(
        _concept_deleting, sender=vocabulary, dispatch_uid=f"shown-{vocabulary.__name__}-deleting"
    )
    post_delete.connect(
        _concept_deleted, sender=vocabulary, dispatch_uid=f"shown-{vocabulary.__name__}-deleted"
    )


@receiver(post_save, sender=EscoSkillLabel)
@receiver(post_delete, sender=EscoSkillLabel)
def _skill_label_changed(sender, instance, raw=False, **kwargs):
    # A label in another language is part of the skill's text, new or not.
    if not raw:
        _concepts_changed(EscoSkill, [instance.skill_id])
