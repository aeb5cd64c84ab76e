"""Writes on learning opportunities and the people who maintain them, one module a concept:
``write_path`` (the one way records are written), ``stored`` (what a write is and how it
compares with what is stored), ``validation`` (the admin form's rules), ``opportunities`` and
``editions`` (writes on one micro-credential or one of its editions), ``staff``."""

from descriptors.services.editions import edition_copy, edition_delete, edition_save
from descriptors.services.opportunities import (
    PublishReport,
    opportunities_publish,
    opportunities_unpublish,
    opportunity_archive,
    opportunity_publish,
    opportunity_save,
    opportunity_unpublish,
)
from descriptors.services.rows import relation_links
from descriptors.services.staff import (
    PROVIDER_STAFF_GROUP,
    PROVIDER_STAFF_PERMISSIONS,
    organisation_member_add,
    provider_staff_group,
)
from descriptors.services.stored import (
    CHILD_FIELDS,
    CHILD_RELATIONS,
    CHILDREN,
    OpportunityWrite,
    Stored,
    edition_match,
    editions_as_values,
    opportunities_stored,
    stored_edition,
)
from descriptors.services.validation import (
    EDITION_RELATIONS,
    EDITION_VALUES,
    REQUIRED_RELATIONS,
    edition_validate,
    editions_validate,
    grant_validate,
    opportunity_validate,
    region_in_countries_check,
)
from descriptors.services.write_path import (
    opportunities_bulk_save,
    opportunities_touch,
    opportunity_changes,
)

__all__ = [
    "CHILDREN",
    "CHILD_FIELDS",
    "CHILD_RELATIONS",
    "EDITION_RELATIONS",
    "EDITION_VALUES",
    "PROVIDER_STAFF_GROUP",
    "PROVIDER_STAFF_PERMISSIONS",
    "REQUIRED_RELATIONS",
    "OpportunityWrite",
    "PublishReport",
    "Stored",
    "edition_copy",
    "edition_delete",
    "edition_match",
    "edition_save",
    "edition_validate",
    "editions_as_values",
    "editions_validate",
    "grant_validate",
    "opportunities_bulk_save",
    "opportunities_publish",
    "opportunities_stored",
    "opportunities_touch",
    "opportunities_unpublish",
    "opportunity_archive",
    "opportunity_changes",
    "opportunity_publish",
    "opportunity_save",
    "opportunity_unpublish",
    "opportunity_validate",
    "organisation_member_add",
    "provider_staff_group",
    "region_in_countries_check",
    "relation_links",
    "stored_edition",
]
