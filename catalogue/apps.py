from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        from catalogue import signals  # noqa: F401  (connects the re-indexing handlers)
        from catalogue.extensions import DetailSection, register_detail_section
        from catalogue.occupation_section import occupations_section

        register_detail_section(
            DetailSection("catalogue/_occupations_section.html", occupations_section)
        )
