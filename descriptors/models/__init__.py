"""What a learning opportunity is: the ECCOE descriptor set plus the Annex I elements ECCOE lacks.

``LearningOpportunity`` is the micro-credential as designed once (ELM's
``LearningAchievementSpecification`` and what every offering shares); its ``editions`` are the
offerings over time (ELM ``LearningOpportunity``: dates, fees, places). Outcomes, activities,
assessments, grants and editions are child tables (decision 0012). One module per concept; this
package re-exports their public names, so ``from descriptors.models import X`` names any of them.
"""

from descriptors.models.base import history_system_writer
from descriptors.models.editions import (
    ISO_8601_DURATION,
    Edition,
    EditionQuerySet,
    validate_iso_duration,
)
from descriptors.models.grants import Grant
from descriptors.models.opportunities import LearningOpportunity, LearningOpportunityQuerySet
from descriptors.models.organisations import (
    Organisation,
    OrganisationMember,
    OrganisationQuerySet,
    OrganisationScopedQuerySet,
)
from descriptors.models.outcomes import (
    IDENTITY_VERIFIED_CODE,
    Activity,
    Assessment,
    LearningOutcome,
)
from descriptors.models.spreadsheet_imports import SpreadsheetImport, SpreadsheetImportQuerySet
from descriptors.models.translations import OpportunityTranslation

__all__ = [
    "IDENTITY_VERIFIED_CODE",
    "ISO_8601_DURATION",
    "Activity",
    "Assessment",
    "Edition",
    "EditionQuerySet",
    "Grant",
    "LearningOpportunity",
    "LearningOpportunityQuerySet",
    "LearningOutcome",
    "OpportunityTranslation",
    "Organisation",
    "OrganisationMember",
    "OrganisationQuerySet",
    "OrganisationScopedQuerySet",
    "SpreadsheetImport",
    "SpreadsheetImportQuerySet",
    "history_system_writer",
    "validate_iso_duration",
]
