from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = _("Recognition")

    def ready(self):
        from catalogue.extensions import (
            BrowseLink,
            CompareRow,
            DetailSection,
            register_browse_link,
            register_compare_row,
            register_detail_section,
            register_provider_section,
        )
        from catalogue.search.facets import FACETS, register_facet
        from recognition.facets import RECOGNISED_BY
        from recognition.selectors import (
            opportunities_recognised_by,
            opportunity_recognition_section,
            provider_recognition_section,
        )

        if RECOGNISED_BY not in FACETS:
            register_facet(RECOGNISED_BY)
        register_detail_section(
            DetailSection("recognition/_opportunity_section.html", opportunity_recognition_section)
        )
        register_provider_section(
            DetailSection("recognition/_provider_section.html", provider_recognition_section)
        )
        register_browse_link(BrowseLink(_("Recognising institutions"), "recognition:institutions"))
        register_compare_row(
            CompareRow(
                _("Recognised by"),
                opportunities_recognised_by,
                _("No institution under an agreement in force"),
            )
        )
