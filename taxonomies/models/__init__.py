"""Reference vocabularies: EQF, ISCED-F 2013, NQF levels, ESCO skills and occupations and the ELM
code lists, one module per kind of vocabulary.

Every record is keyed by the standard's own code or URI, so that loaders can upsert and exports
can write the official identifiers back out.
"""

from taxonomies.models.embeddings import SkillEmbedding
from taxonomies.models.esco import (
    EscoConcept,
    EscoLabel,
    EscoRelease,
    label_search_text,
    labels_in_visitor_language,
)
from taxonomies.models.esco_occupations import (
    EscoOccupation,
    EscoOccupationBroader,
    EscoOccupationLabel,
    EscoOccupationQuerySet,
    EscoOccupationSkill,
)
from taxonomies.models.esco_skills import (
    EscoBroaderRelation,
    EscoSkill,
    EscoSkillLabel,
    EscoSkillQuerySet,
)
from taxonomies.models.frameworks import EqfLevel, IscedField, NqfFramework, NqfLevel, QnqSublevel
from taxonomies.models.vocabularies import Concept, Scheme, visitor_language_code

__all__ = [
    "Concept",
    "EqfLevel",
    "EscoBroaderRelation",
    "EscoConcept",
    "EscoLabel",
    "EscoOccupation",
    "EscoOccupationBroader",
    "EscoOccupationLabel",
    "EscoOccupationQuerySet",
    "EscoOccupationSkill",
    "EscoRelease",
    "EscoSkill",
    "EscoSkillLabel",
    "EscoSkillQuerySet",
    "IscedField",
    "NqfFramework",
    "NqfLevel",
    "QnqSublevel",
    "Scheme",
    "SkillEmbedding",
    "label_search_text",
    "labels_in_visitor_language",
    "visitor_language_code",
]
