"""Learning opportunities in the admin: the page where providers enter and maintain a
micro-credential's descriptors, with its editions and the copy of its latest edition."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from descriptors.admin.inlines import (
    ActivityInline,
    AssessmentInline,
    EditionInline,
    GrantInline,
    LearningOutcomeInline,
    OpportunityTranslationInline,
)
from descriptors.admin.publishing import PublishActionsMixin
from descriptors.admin.scoping import ProviderScopedAdmin
from descriptors.admin.spreadsheet import SpreadsheetViewsMixin
from descriptors.completeness import opportunity_completeness
from descriptors.models import LearningOpportunity, Organisation
from descriptors.services import edition_copy, opportunity_changes, region_in_countries_check


class EditionCopyForm(forms.Form):
    start_date = forms.DateField(
        label=_("start date of the new edition"),
        help_text=_("Its end date and application deadline move by as many days."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reference = forms.CharField(
        label=_("edition code"),
        max_length=100,
        required=False,
        help_text=_("Your own code for the new edition, e.g. '2027'; may stay empty."),
    )


class LearningOpportunityForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        try:
            region_in_countries_check(cleaned.get("region"), list(cleaned.get("countries") or []))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(LearningOpportunity)
class LearningOpportunityAdmin(PublishActionsMixin, SpreadsheetViewsMixin, ProviderScopedAdmin):
    """The form validates with the model's rules; what it saves (the record, its inlines and
    many-to-many fields) is one write of the one write path: one transaction, one re-index and
    one change-log entry (``opportunity_changes``)."""

    form = LearningOpportunityForm
    list_display = [
        "title",
        "provider",
        "status",
        "eqf_level",
        "ects_credits",
        "modified",
    ]
    list_filter = [
        "status",
        "eqf_level",
        "modes",
        "languages",
        "opportunity_type",
    ]
    search_fields = [
        "title",
        "description",
        "provider_reference",
        "provider__name",
        "outcomes__title",
    ]
    list_select_related = ["provider", "eqf_level"]
    autocomplete_fields = ["isced_fields", "region"]
    filter_horizontal = [
        "co_providers",
        "awarding_bodies",
        "countries",
        "languages",
        "modes",
        "target_groups",
    ]
    readonly_fields = [
        "completeness_report",
        "workload_check",
        "created",
        "modified",
        "published_at",
    ]
    inlines = [
        OpportunityTranslationInline,
        EditionInline,
        LearningOutcomeInline,
        AssessmentInline,
        ActivityInline,
        GrantInline,
    ]
    fieldsets = [
        (_("Completeness"), {"fields": ["completeness_report"]}),
        (
            _("Identification"),
            {
                "fields": [
                    "status",
                    "provider",
                    "provider_reference",
                    "title",
                    "description",
                    "opportunity_type",
                    "homepage",
                ]
            },
        ),
        (
            _("Who provides it"),
            {
                "fields": [
                    "co_providers",
                    "hosted_by",
                    "awarding_bodies",
                    "location",
                    "countries",
                    "region",
                ]
            },
        ),
        (_("Languages"), {"fields": ["default_language", "languages"]}),
        (
            _("Workload and credits"),
            {"fields": ["workload_hours", "ects_credits", "credit_system", "workload_check"]},
        ),
        (
            _("Admission"),
            {"fields": ["admission_procedure", "entry_requirements", "target_groups"]},
        ),
        (_("Mode of learning"), {"fields": ["modes", "learning_setting"]}),
        (
            _("Level and field"),
            {"fields": ["eqf_level", "nqf_level", "nqf_sublevel", "isced_fields"]},
        ),
        (
            _("Credential and quality"),
            {
                "fields": [
                    "credential_type",
                    "quality_assurance_type",
                    "quality_assurance_note",
                    "is_stackable",
                    "integration_options",
                    "further_information",
                ]
            },
        ),
        (_("Record"), {"fields": ["created", "modified", "published_at"], "classes": ["collapse"]}),
    ]

    actions = ["publish_selected", "unpublish_selected", "export_template_csv"]

    def changeform_view(self, *args, **kwargs):
        with opportunity_changes():
            return super().changeform_view(*args, **kwargs)

    def delete_view(self, *args, **kwargs):
        with opportunity_changes():
            return super().delete_view(*args, **kwargs)

    def delete_queryset(self, request, queryset):
        with opportunity_changes():
            super().delete_queryset(request, queryset)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="descriptors_learningopportunity_import",
            ),
            path(
                "import/<int:pk>/",
                self.admin_site.admin_view(self.import_status_view),
                name="descriptors_learningopportunity_import_status",
            ),
            path(
                "<path:object_id>/copy-edition/",
                self.admin_site.admin_view(self.edition_copy_view),
                name="descriptors_learningopportunity_copy_edition",
            ),
            path(
                "import/template.<str:extension>",
                self.admin_site.admin_view(self.template_view),
                name="descriptors_learningopportunity_template",
            ),
            *super().get_urls(),
        ]

    def edition_copy_view(self, request, object_id: str):
        """Copy the latest edition with new dates: a form asks the new start date."""
        opportunity = self.get_object(request, object_id)
        if opportunity is None or not self.has_change_permission(request, opportunity):
            raise PermissionDenied
        form = EditionCopyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                edition = edition_copy(
                    opportunity=opportunity,
                    start_date=form.cleaned_data["start_date"],
                    reference=form.cleaned_data["reference"],
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(
                    request,
                    _("New edition starting %(date)s added: check its dates and fees below.")
                    % {"date": formats.date_format(edition.start_date, "DATE_FORMAT")},
                )
                return redirect("admin:descriptors_learningopportunity_change", opportunity.pk)
        latest = opportunity.editions.exclude(start_date=None).order_by("-start_date").first()
        return TemplateResponse(
            request,
            "admin/descriptors/learningopportunity/copy_edition.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": opportunity,
                "latest": latest,
                "form": form,
                "title": _("Copy the latest edition with new dates"),
            },
        )

    def get_search_results(self, request, queryset, search_term):
        if request.path == reverse("admin:autocomplete"):
            # Published records are public: any autocomplete (a recognition officer choosing
            # what an agreement covers) may offer them, whoever provides them.
            queryset = queryset | LearningOpportunity.objects.published()
        return super().get_search_results(request, queryset, search_term)

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return ["provider", *self.list_filter]
        return self.list_filter

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["queryset"] = Organisation.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        own = Organisation.objects.for_user(request.user)
        if not request.user.is_superuser and own.count() == 1:
            initial.setdefault("provider", own.get().pk)
        return initial

    @admin.display(description=_("Completeness"))
    def completeness_report(self, opportunity: LearningOpportunity) -> str:
        report = opportunity_completeness(opportunity)
        if report.is_complete:
            return format_html(
                "<strong>{}%</strong> - {}",
                report.score,
                _("every mandatory element is filled in."),
            )
        return format_html(
            "<strong>{}%</strong> - {}<ul>{}</ul>",
            report.score,
            _("still missing:"),
            format_html_join(
                "",
                "<li>{} <small>({})</small></li>",
                ((item.label, item.source) for item in report.missing),
            ),
        )

    @admin.display(description=_("Workload check"))
    def workload_check(self, opportunity: LearningOpportunity) -> str:
        return opportunity.workload_warning or _("Consistent with 25-30 hours per ECTS credit.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warning = form.instance.workload_warning
        if warning:
            messages.warning(request, warning)
        if form.instance.is_public:
            # Saved from the form (the status select): the same warning as the bulk action.
            missing = opportunity_completeness(form.instance).missing
            if missing:
                messages.warning(
                    request,
                    _("Published, but still missing mandatory elements: %(missing)s")
                    % {"missing": ", ".join(str(item.label) for item in missing)},
                )
