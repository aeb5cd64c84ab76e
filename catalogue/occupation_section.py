"""The opportunity page's "jobs it prepares for" section.

Kept apart from catalogue.occupations: the app registry loads it while apps are starting, and
importing the search FilterSet then would freeze its filters before other apps register their
facets.
"""

from django.db.models import Count, Q

from descriptors.models import LearningOpportunity
from taxonomies.models import (
    EscoBroaderRelation,
    EscoOccupation,
    EscoOccupationLabel,
    EscoOccupationSkill,
    EscoSkill,
    labels_in_visitor_language,
)


def occupations_served(opportunity: LearningOpportunity, *, limit: int = 8):
    """Occupations needing a skill this opportunity teaches (or a broader skill it counts
    toward), those it serves with the most essential skills first."""
    taught = {skill.pk for outcome in opportunity.outcomes.all() for skill in outcome.skills.all()}
    if not taught:
        return []
    counted = set(taught)
    frontier = set(taught)
    while frontier:
        frontier = (
            set(
                EscoBroaderRelation.objects.filter(
                    narrower_id__in=frontier,
                    broader__concept_type=EscoSkill.ConceptType.SKILL,
                ).values_list("broader_id", flat=True)
            )
            - counted
        )
        counted |= frontier
    essential = Q(skill_relations__relation=EscoOccupationSkill.Relation.ESSENTIAL)
    return list(
        EscoOccupation.objects.filter(skill_relations__skill_id__in=counted)
        .annotate(
            essential_skills=Count("skill_relations", filter=essential),
            all_skills=Count("skill_relations"),
        )
        .order_by("-essential_skills", "-all_skills", "preferred_label")
        .prefetch_related(labels_in_visitor_language(EscoOccupationLabel))[:limit]
    )


def occupations_section(opportunity: LearningOpportunity) -> dict | None:
    """The opportunity page's "jobs it prepares for" section (None: nothing to show)."""
    occupations = occupations_served(opportunity)
    return {"occupations": occupations} if occupations else None
