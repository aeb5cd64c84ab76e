"""The provider admin: where providers enter and maintain their descriptors.

Provider staff see, add and change only their own organisation's opportunities; every query,
object check and provider choice goes through ``for_user`` so that a direct URL cannot reach
another organisation's records.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from descriptors.completeness import opportunity_completeness
from descriptors.formats.spreadsheet import (
    SpreadsheetError,
    dump_template_csv,
    dump_template_xlsx,
    row_of,
    spreadsheet_check,
    template_rows,
)
from descriptors.forms import LangStringField
from descriptors.models import (
    Activity,
    Assessment,
    Edition,
    LearningOpportunity,
    LearningOutcome,
    OpportunityTranslation,
    Organisation,
    OrganisationMember,
    SpreadsheetImport,
)
from descriptors.services import (
    edition_copy,
    opportunities_publish,
    opportunities_unpublish,
    opportunity_changes,
    organisation_member_add,
)
from descriptors.tasks import (
    spreadsheet_import_confirm,
    spreadsheet_import_retry,
    spreadsheet_import_start,
)


class OpportunityTranslationInline(admin.StackedInline):
    model = OpportunityTranslation
    extra = 0
    fields = [
        "language",
        "title",
        "description",
        "admission_procedure",
        "entry_requirements",
        "further_information",
    ]


class LearningOutcomeForm(forms.ModelForm):
    title_translations = LangStringField(label=_("in other languages"))

    class Meta:
        model = LearningOutcome
        fields = ["position", "title", "title_translations", "skills"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}


class LearningOutcomeInline(admin.StackedInline):
    model = LearningOutcome
    form = LearningOutcomeForm
    extra = 1
    autocomplete_fields = ["skills"]


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0
    fields = ["title", "assessment_type", "mode", "supervision", "grading_scheme"]


class EditionInline(admin.StackedInline):
    model = Edition
    extra = 0
    filter_horizontal = ["modes", "languages"]
    fieldsets = [
        (None, {"fields": [("reference", "status", "is_published")]}),
        (
            _("Dates and schedule"),
            {
                "fields": [
                    "any_start_date",
                    ("start_date", "end_date", "application_deadline"),
                    "duration",
                    "learning_schedule",
                    "schedule_information",
                    "places",
                ]
            },
        ),
        (_("Fees"), {"fields": ["is_free", ("fee_amount", "currency"), "fee_note"]}),
        (
            _("Where it differs from the micro-credential"),
            {"fields": ["location", "modes", "languages", "homepage"], "classes": ["collapse"]},
        ),
    ]


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["title", "activity_type", "mode", "hours"]


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


class SpreadsheetImportForm(forms.Form):
    file = forms.FileField(
        label=_("spreadsheet"), help_text=_("The template filled in, as CSV or XLSX.")
    )
    provider = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("provider"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = Organisation.objects.for_user(user)
        self.fields["provider"].queryset = own
        if own.count() == 1:
            self.fields["provider"].initial = own.get()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB: split it."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        try:  # an unreadable file or a wrong header is refused now, not by the worker later
            spreadsheet_check(upload.read(), upload.name)
        except SpreadsheetError as error:
            raise forms.ValidationError(str(error)) from error
        upload.seek(0)
        return upload


MAX_IMPORT_BYTES = 20 * 1024 * 1024


class OrganisationScopedMixin:
    """Narrows a model admin to the records of the organisations the signed-in user is a
    member of (the model's queryset has ``for_user``)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def _in_scope(self, request, obj) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)


class ProviderScopedAdmin(OrganisationScopedMixin, SimpleHistoryAdmin):
    """Provider staff's admin: scoped to their organisations, with the change history."""


@admin.register(LearningOpportunity)
class LearningOpportunityAdmin(ProviderScopedAdmin):
    """The form validates with the model's rules; what it saves (the record, its inlines and
    many-to-many fields) is one write of the one write path: one transaction, one re-index and
    one change-log entry (``opportunity_changes``)."""

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
    autocomplete_fields = ["isced_fields"]
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
            {"fields": ["co_providers", "hosted_by", "awarding_bodies", "location", "countries"]},
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

    def template_view(self, request, extension: str):
        if extension not in ("csv", "xlsx"):
            raise PermissionDenied
        return _download(f"opportunities-template.{extension}", template_rows())

    def import_view(self, request):
        """Upload: the file is kept and its preview queued for the task worker."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SpreadsheetImportForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            job = spreadsheet_import_start(
                provider=form.cleaned_data["provider"],
                uploaded_by=request.user,
                file_name=upload.name,
                content=upload.read(),
            )
            return redirect("admin:descriptors_learningopportunity_import_status", job.pk)
        recent = SpreadsheetImport.objects.for_user(request.user).defer("report")[:10]
        return self._import_page(request, form=form, recent=recent)

    def import_status_view(self, request, pk: int):
        """A preview or import: its progress while the worker runs it, then its report; a
        finished preview can be confirmed here, a stalled job queued again."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        job = get_object_or_404(SpreadsheetImport.objects.for_user(request.user), pk=pk)
        if request.method == "POST":
            run_again = request.POST.get("action") == "retry"
            try:
                if run_again:
                    spreadsheet_import_retry(job=job)
                else:
                    spreadsheet_import_confirm(job=job)
            except ValueError as error:
                messages.error(request, str(error))
            return redirect("admin:descriptors_learningopportunity_import_status", job.pk)
        return self._import_page(request, job=job)

    def _import_page(self, request, **context):
        return TemplateResponse(
            request,
            "admin/descriptors/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Import learning opportunities from a spreadsheet"),
                **context,
            },
        )

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
        report = opportunities_publish(opportunities=drafts)
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
        return None

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

    @admin.action(description=_("Export the selected in the import template (CSV)"))
    def export_template_csv(self, request, queryset):
        opportunities = queryset.with_template_data()
        return _download("opportunities.csv", [row_of(o) for o in opportunities])

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


def _download(filename: str, rows) -> HttpResponse:
    xlsx = filename.endswith(".xlsx")
    response = HttpResponse(
        dump_template_xlsx(rows) if xlsx else dump_template_csv(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if xlsx
        else "text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    # A plain ModelAdmin: organisations keep no django-simple-history table, so the history
    # admin's "History" page failed for everyone; this one lists the admin's own log entries.
    list_display = ["name", "provider_type", "country", "website"]
    list_filter = ["provider_type", "country"]
    search_fields = ["name", "legal_name"]
    inlines = [OrganisationMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_inlines(self, request, obj):
        return self.inlines if request.user.is_superuser else []

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is OrganisationMember:
            for member in formset.queryset.filter(organisation=form.instance):
                organisation_member_add(user=member.user, organisation=member.organisation)
