"""The recognition officers' admin: agreements, decisions, courses to compare, pathways.

Like the providers' admin, each officer sees and changes only their own institution's records.
Approved agreement versions are read-only here; "Draft a new version" is how they change.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalogue.models import record_id
from descriptors.admin import OrganisationScopedMixin
from descriptors.models import LearningOpportunity, Organisation
from recognition.models import (
    Agreement,
    AgreementItem,
    Pathway,
    PathwayStep,
    RecognitionDecision,
    TargetCourse,
)
from recognition.pathways import pathway_totals, pathway_validate
from recognition.selectors import agreement_versions, decisions_public, outcome_comparison
from recognition.services import (
    agreement_approve,
    agreement_new_version,
    agreement_retire,
)

COMPARE_CANDIDATES = 20


class OwnOrganisationChoices:
    """Organisation fields offer only the signed-in user's organisations."""

    own_organisation_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.own_organisation_fields:
            kwargs["queryset"] = Organisation.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PublishedOpportunityChoice(forms.ModelForm):
    """The opportunity field accepts published opportunities only, like the API (and the
    autocomplete, which offers only those): a record that names a draft would put it on the
    public pages. The value already saved stays accepted, so that a record whose opportunity
    was archived since can still be edited."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("opportunity")
        if field is not None:
            field.queryset = LearningOpportunity.objects.filter(
                Q(status=LearningOpportunity.Status.PUBLISHED) | Q(pk=self.instance.opportunity_id)
            )
            field.error_messages["invalid_choice"] = _("Choose a published learning opportunity.")


class DraftOnlyInline:
    """Inlines of an agreement can change only while it is a draft."""

    def _draft(self, obj) -> bool:
        return obj is None or obj.is_draft

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


class AgreementItemForm(PublishedOpportunityChoice):
    """An item names an opportunity of one of the agreement's parties: said beside the item
    when the draft is saved, with the parties as the form sends them (``parties``: provider
    ids; None when the form is only shown)."""

    def __init__(self, *args, parties: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = parties

    def clean_opportunity(self):
        opportunity = self.cleaned_data["opportunity"]
        if self.parties is not None and opportunity.provider_id not in self.parties:
            raise ValidationError(
                _("Provided by %(provider)s, which is not a party: add it to the providers.")
                % {"provider": opportunity.provider.name}
            )
        return opportunity


class AgreementItemInline(DraftOnlyInline, admin.StackedInline):
    model = AgreementItem
    form = AgreementItemForm
    extra = 0
    autocomplete_fields = ["opportunity"]
    fields = [
        ("position", "opportunity"),
        ("target_kind", "target_title", "target_code"),
        ("ects", "recognition_mode", "grade_policy"),
        (
            "requires_passed_assessment",
            "requires_identity_verification",
            "minimum_grade",
            "max_credential_age_months",
        ),
        "note",
    ]


@admin.register(Agreement)
class AgreementAdmin(OrganisationScopedMixin, OwnOrganisationChoices, admin.ModelAdmin):
    own_organisation_fields = ("institution",)
    list_display = [
        "title",
        "version",
        "institution",
        "status",
        "valid_from",
        "valid_until",
        "validity",
    ]
    list_filter = ["status", "agreement_type", "valid_from"]
    search_fields = ["title", "objective", "institution__name", "providers__name"]
    list_select_related = ["institution"]
    filter_horizontal = ["providers"]
    inlines = [AgreementItemInline]
    actions = ["approve", "draft_new_version", "retire"]
    readonly_fields = [
        "status",
        "version",
        "approved_by_name",
        "approved_at",
        "retired_at",
        "versions",
        "documents",
    ]
    fieldsets = [
        (
            _("Record"),
            {
                "fields": [
                    "status",
                    "version",
                    "approved_by_name",
                    "approved_at",
                    "retired_at",
                    "versions",
                    "documents",
                ]
            },
        ),
        (_("Parties"), {"fields": ["institution", "providers", "contact", "signatories"]}),
        (_("Type and objective"), {"fields": ["title", "agreement_type", "objective"]}),
        (_("Scope"), {"fields": ["scope", "language"]}),
        (_("Credits and grades"), {"fields": ["grade_conversion", "max_ects_per_learner"]}),
        (_("Process"), {"fields": ["process", "appeal", "quality_assurance"]}),
        (_("Validity"), {"fields": ["valid_from", "valid_until", "renewal_and_termination"]}),
    ]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, AgreementItemInline) and request.method == "POST":
            chosen = request.POST.getlist("providers")
            kwargs["form_kwargs"] = {"parties": {int(pk) for pk in chosen if pk.isdigit()}}
        return kwargs

    def has_change_permission(self, request, obj=None):
        # An approved version opens read-only: it is changed by drafting a new version.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_draft)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_draft)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "language":
            kwargs["queryset"] = db_field.related_model.objects.filter(scheme="language")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("validity today"))
    def validity(self, agreement: Agreement) -> str:
        return agreement.validity_label()

    @admin.display(description=_("versions"))
    def versions(self, agreement: Agreement) -> str:
        if agreement.pk is None:
            return "-"
        return format_html_join(
            ", ",
            '<a href="{}">v{} ({})</a>',
            (
                (
                    reverse("admin:recognition_agreement_change", args=[version.pk]),
                    version.version,
                    version.get_status_display(),
                )
                for version in agreement_versions(agreement, include_drafts=True)
            ),
        )

    @admin.display(description=_("public page and document"))
    def documents(self, agreement: Agreement) -> str:
        if agreement.pk is None or agreement.is_draft:
            return _("Public once approved.")
        document = reverse("recognition:agreement-document", args=[agreement.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}?lang=en">{}</a> · <a href="{}?lang=it">{}</a>',
            agreement.get_absolute_url(),
            _("public page"),
            document,
            _("document (English)"),
            document,
            _("document (Italian)"),
        )

    def _each(self, request, queryset, action, done_message):
        done = 0
        for agreement in queryset:
            try:
                action(agreement)
            except ValidationError as error:
                self.message_user(
                    request, f"{agreement}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected drafts"), permissions=["view"])
    def approve(self, request, queryset):
        name = request.user.get_full_name() or request.user.get_username()
        self._each(
            request,
            queryset,
            lambda agreement: agreement_approve(
                agreement=agreement, by_user=request.user, by_name=name
            ),
            _("%(count)s agreement(s) approved."),
        )

    @admin.action(description=_("Draft a new version of the selected"), permissions=["view"])
    def draft_new_version(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda agreement: agreement_new_version(agreement=agreement),
            _("%(count)s new draft version(s) created."),
        )

    @admin.action(description=_("Retire the selected approved agreements"), permissions=["view"])
    def retire(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda agreement: agreement_retire(agreement=agreement),
            _("%(count)s agreement(s) retired."),
        )


class DecisionForm(PublishedOpportunityChoice):
    substantial_differences = forms.MultipleChoiceField(
        label=_("substantial differences found"),
        choices=RecognitionDecision.Difference.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=RecognitionDecision._meta.get_field("substantial_differences").help_text,
    )

    class Meta:
        model = RecognitionDecision
        exclude: list[str] = []


@admin.register(RecognitionDecision)
class RecognitionDecisionAdmin(OrganisationScopedMixin, OwnOrganisationChoices, admin.ModelAdmin):
    form = DecisionForm
    own_organisation_fields = ("institution",)
    list_display = ["opportunity", "institution", "outcome", "credits_recognised", "decided_on"]
    list_filter = ["outcome", "recognition_mode", "is_public", "decided_on"]
    search_fields = ["opportunity__title", "recognised_for", "rationale", "institution__name"]
    list_select_related = ["opportunity", "institution"]
    autocomplete_fields = ["opportunity"]
    readonly_fields = ["precedents", "comparison"]
    fieldsets = [
        (None, {"fields": ["institution", "opportunity", "agreement", "target_course"]}),
        (_("What other institutions decided"), {"fields": ["precedents"]}),
        (_("Skills compared with the course"), {"fields": ["comparison"]}),
        (
            _("Assessment"),
            {
                "fields": [
                    ("terminology_appropriate", "terminology_note"),
                    ("level_appropriate", "proposed_eqf_level"),
                    "substantial_differences",
                    "differences_note",
                ]
            },
        ),
        (
            _("Decision"),
            {
                "fields": [
                    "outcome",
                    "recognition_mode",
                    "recognised_for",
                    "credits_recognised",
                    "grade_policy",
                    "rationale",
                    ("assessor", "decided_on"),
                    "is_public",
                ]
            },
        ),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agreement":
            kwargs["queryset"] = Agreement.objects.for_user(request.user)
        elif db_field.name == "target_course":
            kwargs["queryset"] = TargetCourse.objects.filter(
                institution__in=Organisation.objects.for_user(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("precedents"))
    def precedents(self, decision: RecognitionDecision) -> str:
        if decision.opportunity_id is None:
            return _("Save to see other institutions' public decisions on this opportunity.")
        others = decisions_public().filter(opportunity=decision.opportunity).exclude(pk=decision.pk)
        rows = [
            (
                other.decided_on,
                other.institution.name,
                other.get_outcome_display(),
                other.credits_recognised or "-",
                other.rationale[:200],
            )
            for other in others[:20]
        ]
        if not rows:
            return _("No public decisions on this opportunity yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{} – {}: <strong>{}</strong>, {} ECTS. {}</li>", rows),
        )

    @admin.display(description=_("comparison"))
    def comparison(self, decision: RecognitionDecision) -> str:
        if not (decision.opportunity_id and decision.target_course_id):
            return _("Choose a course of your institution and save to compare skills.")
        url = reverse("admin:recognition_targetcourse_compare", args=[decision.target_course_id])
        result = outcome_comparison(opportunity=decision.opportunity, course=decision.target_course)
        return format_html(
            '{}% · {} <a href="{}?opportunity={}">{}</a>',
            result.coverage,
            _("of the course's skills are covered."),
            url,
            decision.opportunity_id,
            _("Side by side"),
        )


class TargetCourseForm(forms.ModelForm):
    class Meta:
        model = TargetCourse
        exclude: list[str] = []
        widgets = {"outcomes": forms.Textarea(attrs={"rows": 5})}


@admin.register(TargetCourse)
class TargetCourseAdmin(OrganisationScopedMixin, OwnOrganisationChoices, admin.ModelAdmin):
    form = TargetCourseForm
    own_organisation_fields = ("institution",)
    list_display = ["title", "code", "programme", "ects", "institution", "compare_link"]
    search_fields = ["title", "code", "programme"]
    autocomplete_fields = ["skills"]
    readonly_fields = ["compare_link"]

    @admin.display(description=_("compare"))
    def compare_link(self, course: TargetCourse) -> str:
        if course.pk is None:
            return _("Once the course is saved.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:recognition_targetcourse_compare", args=[course.pk]),
            _("Compare with a learning opportunity"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="recognition_targetcourse_compare",
            ),
            *super().get_urls(),
        ]

    def compare_view(self, request, pk: int):
        """A course beside a learning opportunity: shared skills and gaps (it never decides)."""
        course = get_object_or_404(self.get_queryset(request), pk=pk)
        term = request.GET.get("q", "").strip()[:100]
        candidates = []
        if term:
            candidates = (
                LearningOpportunity.objects.published()
                .filter(Q(title__icontains=term) | Q(provider_reference__iexact=term))
                .select_related("provider")[:COMPARE_CANDIDATES]
            )
        opportunity = None
        chosen = request.GET.get("opportunity", "")
        if chosen:
            pk = record_id(chosen)
            if pk is None:
                raise Http404("No such learning opportunity.")
            # One filter, not the union of two querysets: the membership join of ``for_user``
            # repeats a row per member, and get() then found several.
            visible = Q(status=LearningOpportunity.Status.PUBLISHED) | Q(
                provider__in=Organisation.objects.for_user(request.user)
            )
            opportunity = get_object_or_404(LearningOpportunity.objects.filter(visible), pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Compare %(course)s") % {"course": course},
            "course": course,
            "term": term,
            "candidates": candidates,
            "opportunity": opportunity,
            "comparison": outcome_comparison(opportunity=opportunity, course=course)
            if opportunity
            else None,
        }
        return TemplateResponse(request, "recognition/admin/compare.html", context)


class PathwayStepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        steps = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        pathway_validate(self.instance, sorted(steps, key=lambda step: step.position))


class PathwayStepInline(admin.TabularInline):
    model = PathwayStep
    form = PublishedOpportunityChoice
    formset = PathwayStepFormSet
    extra = 1
    autocomplete_fields = ["opportunity"]
    fields = ["position", "opportunity", "is_required"]


@admin.register(Pathway)
class PathwayAdmin(OrganisationScopedMixin, OwnOrganisationChoices, admin.ModelAdmin):
    own_organisation_fields = ("owner",)
    list_display = ["title", "owner", "rule", "is_published", "totals"]
    list_filter = ["rule", "is_published"]
    search_fields = ["title", "target_credential"]
    inlines = [PathwayStepInline]
    readonly_fields = ["totals"]
    fields = [
        "owner",
        "title",
        "description",
        "target_credential",
        "awarding_body",
        "rule",
        "required_count",
        "minimum_ects",
        "is_ordered",
        "is_published",
        "totals",
    ]

    def get_queryset(self, request):
        # The list shows each pathway's totals: read all steps in one query.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("steps", PathwayStep.objects.select_related("opportunity")))
        )

    @admin.display(description=_("totals (computed)"))
    def totals(self, pathway: Pathway) -> str:
        if pathway.pk is None:
            return _("Computed from the steps when saved.")
        totals = pathway_totals(pathway, pathway.steps.all())
        return format_html(
            "{} ECTS · {} h · {}",
            totals.ects,
            totals.workload_hours,
            _("%(needed)s of %(steps)s steps to complete")
            % {"needed": totals.steps_to_complete, "steps": totals.steps},
        )
