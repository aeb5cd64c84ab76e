"""Recognition: credit recognition agreements (ECCOE MCRA), recognition decisions, target
courses for comparison, and stackable pathways, one module per concept.

The MCRA sections follow ``shared/domain/recognition.md`` §2.2 (parties, type and objective,
scope, recognised learning opportunities, credits and grades, conditions, process, quality
assurance, validity, signatures); decisions carry the MARTe pilot's questions (§4) and the
Lisbon Recognition Convention's substantial differences (§5).
"""

from recognition.models.agreements import Agreement, AgreementItem, AgreementQuerySet
from recognition.models.common import (
    CREDITS,
    GradePolicy,
    InstitutionScopedQuerySet,
    OpportunityReference,
    RecognitionMode,
)
from recognition.models.decisions import DecisionQuerySet, RecognitionDecision, TargetCourse
from recognition.models.pathways import Pathway, PathwayQuerySet, PathwayStep

__all__ = [
    "CREDITS",
    "Agreement",
    "AgreementItem",
    "AgreementQuerySet",
    "DecisionQuerySet",
    "GradePolicy",
    "InstitutionScopedQuerySet",
    "OpportunityReference",
    "Pathway",
    "PathwayQuerySet",
    "PathwayStep",
    "RecognitionDecision",
    "RecognitionMode",
    "TargetCourse",
]
