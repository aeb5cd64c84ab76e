from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DescriptorsConfig(AppConfig):
    name = "descriptors"
    verbose_name = _("Learning opportunities")
