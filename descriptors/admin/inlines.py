"""The parts of a micro-credential edited on its page: translations, editions, learning
outcomes with their ESCO skills, assessments, activities and grants."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from descriptors.forms import LangStringField
from descriptors.models import (
    Activity,
    Assessment,
    Edition,
    Grant,
    LearningOutcome,
    OpportunityTranslation,
)
from taxonomies.admin import skill_suggestion_attrs


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

    class Media:
        js = ["taxonomies/skill_suggestions.js"]
        css = {"all": ["taxonomies/skill_suggestions.css"]}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "skills":
            field.widget.attrs.update(skill_suggestion_attrs())
        return field


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


class GrantInline(admin.StackedInline):
    model = Grant
    extra = 0
    fields = ["title", "description", "homepage"]
