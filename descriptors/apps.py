from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DescriptorsConfig(AppConfig):
    name = "descriptors"
    verbose_name = _("Learning opportunities")

    def ready(self):
        from descriptors.services.staff import provider_staff_permissions_refresh

        # Runs after auth has created this app's permissions (auth's handler is connected first).
        post_migrate.connect(provider_staff_permissions_refresh, sender=self)
