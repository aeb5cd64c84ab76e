"""The provider admin: where providers enter and maintain their descriptors.

Provider staff see, add and change only their own organisation's opportunities; every query,
object check and provider choice goes through ``for_user`` so that a direct URL cannot reach
another organisation's records (``scoping``). Importing the package registers the admins of
``opportunities`` and ``organisations``.
"""

from descriptors.admin.opportunities import LearningOpportunityAdmin
from descriptors.admin.organisations import OrganisationAdmin
from descriptors.admin.scoping import OrganisationScopedMixin, ProviderScopedAdmin

__all__ = [
    "LearningOpportunityAdmin",
    "OrganisationAdmin",
    "OrganisationScopedMixin",
    "ProviderScopedAdmin",
]
