"""Publishing from the admin's list: the selected drafts published (after a confirmation when
they lack mandatory elements) or taken back to draft, each outcome told in a message."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from descriptors.completeness import opportunity_completeness
from descriptors.models import LearningOpportunity
from descriptors.services import PublishReport, opportunities_publish, opportunities_unpublish


class PublishActionsMixin:
    """The learning opportunities admin's publish and unpublish actions."""

    @admin.action(description=_("Publish selected"), permissions=["change"])
    def publish_selected(self, request, queryset):
        """Publish the selected drafts (only the user's organisations': the queryset is
        scoped). Records that lack what Annex I or the ELM LOQ profile calls mandatory are
        listed first, and published only once the user confirms."""
        drafts = list(queryset.exclude(status=LearningOpportunity.Status.PUBLISHED))
        if request.POST.get("confirm") != "yes":
            preview = [
                (opportunity, opportunity_completeness(opportunity).missing)
                for opportunity in drafts
            ]
            if any(missing for _opportunity, missing in preview):
                return self._publish_confirmation(request, preview)
        _publish_messages(request, opportunities_publish(opportunities=drafts))
        return None

    def _publish_confirmation(self, request, preview: list) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/descriptors/learningopportunity/publish_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Publish incomplete learning opportunities?"),
                "preview": preview,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "action": "publish_selected",
            },
        )

    @admin.action(description=_("Unpublish selected"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        """Take the selected published records back to draft (the user's organisations')."""
        count = opportunities_unpublish(opportunities=queryset)
        messages.success(
            request,
            ngettext(
                "%(count)s learning opportunity is a draft again, out of the public catalogue.",
                "%(count)s learning opportunities are drafts again, out of the public catalogue.",
                count,
            )
            % {"count": count},
        )


def _publish_messages(request, report: PublishReport) -> None:
    """What a bulk publish did: how many were published, which still lack mandatory elements,
    which were refused and why, how many were published already."""
    if report.published:
        count = len(report.published)
        messages.success(
            request,
            ngettext(
                "%(count)s learning opportunity published.",
                "%(count)s learning opportunities published.",
                count,
            )
            % {"count": count},
        )
    incomplete = [(o, missing) for o, missing in report.published if missing]
    if incomplete:
        messages.warning(
            request,
            format_html(
                "{}<ul>{}</ul>",
                _("Published, but still missing mandatory elements:"),
                format_html_join(
                    "",
                    "<li>{}: {}</li>",
                    (
                        (opportunity, ", ".join(str(item.label) for item in missing))
                        for opportunity, missing in incomplete
                    ),
                ),
            ),
        )
    for opportunity, problems in report.refused:
        messages.error(
            request,
            _("Not published: %(title)s: %(problems)s")
            % {"title": opportunity, "problems": " ".join(problems)},
        )
    if report.already:
        messages.info(
            request,
            ngettext(
                "%(count)s was already published.",
                "%(count)s were already published.",
                report.already,
            )
            % {"count": report.already},
        )
