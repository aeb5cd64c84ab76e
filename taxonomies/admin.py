import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from taxonomies.models import (
    Concept,
    EqfLevel,
    EscoOccupation,
    EscoOccupationLabel,
    EscoOccupationSkill,
    EscoRelease,
    EscoSkill,
    EscoSkillLabel,
    IscedField,
    NqfFramework,
    NqfLevel,
    Scheme,
)
from taxonomies.suggestions import skills_suggest, suggestion_method

SUGGESTIONS_SHOWN = 10


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["label", "scheme", "code", "uri"]
    list_filter = ["scheme"]
    search_fields = ["label", "code", "uri"]


@admin.register(EqfLevel)
class EqfLevelAdmin(admin.ModelAdmin):
    list_display = ["level", "qf_ehea_cycle", "uri"]


@admin.register(IscedField)
class IscedFieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


class NqfLevelInline(admin.TabularInline):
    model = NqfLevel
    extra = 0


@admin.register(NqfFramework)
class NqfFrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "code", "has_sublevels"]
    inlines = [NqfLevelInline]


class EscoSkillLabelInline(admin.TabularInline):
    model = EscoSkillLabel
    extra = 0


@admin.register(EscoSkill)
class EscoSkillAdmin(admin.ModelAdmin):
    list_display = ["preferred_label", "concept_type", "skill_type", "reuse_level", "code"]
    list_filter = ["concept_type", "skill_type", "reuse_level"]
    search_fields = ["preferred_label", "alt_labels", "uri"]
    readonly_fields = ["broader_concepts"]
    exclude = ["broader"]
    inlines = [EscoSkillLabelInline]

    @admin.display(description="broader concepts")
    def broader_concepts(self, skill: EscoSkill) -> str:
        return ", ".join(str(broader) for broader in skill.broader.all())

    def get_urls(self):
        return [
            path(
                "suggest/",
                self.admin_site.admin_view(self.suggest_view),
                name="taxonomies_escoskill_suggest",
            ),
            *super().get_urls(),
        ]

    def suggest_view(self, request):
        """The outcome form's "Suggest skills": the suggestions of the public API, with the ids
        the form's skill picker holds. ``language`` is the id of the opportunity's default
        language as the form has it (the interface language when none is chosen yet)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        text = request.GET.get("text", "").strip()[:2000]
        code = (
            Concept.objects.filter(scheme=Scheme.LANGUAGE, pk=language)
            .values_list("short_code", flat=True)
            .first()
            if (language := request.GET.get("language", "")).isdigit()
            else None
        )
        method = suggestion_method()
        suggestions = skills_suggest(
            text, code or get_language() or "en", limit=SUGGESTIONS_SHOWN, method=method
        )
        return JsonResponse(
            {
                "method": method,
                "results": [
                    {
                        "id": suggestion.skill.pk,
                        "label": suggestion.skill.localized_label,
                        "description": suggestion.skill.description,
                        "words": suggestion.words,
                    }
                    for suggestion in suggestions
                ],
            }
        )

    def get_search_results(self, request, queryset, search_term):
        # The outcome form's skill picker: prefix matches first, only linkable concepts (not
        # groups), over the full ESCO set with one indexed query.
        if request.path.endswith("/autocomplete/"):
            return queryset.skills().search(search_term), False
        return super().get_search_results(request, queryset, search_term)


class EscoOccupationLabelInline(admin.TabularInline):
    model = EscoOccupationLabel
    extra = 0


class EscoOccupationSkillInline(admin.TabularInline):
    model = EscoOccupationSkill
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(EscoOccupation)
class EscoOccupationAdmin(admin.ModelAdmin):
    list_display = ["preferred_label", "concept_type", "code", "isco_code"]
    list_filter = ["concept_type"]
    search_fields = ["preferred_label", "alt_labels", "uri", "code"]
    exclude = ["broader", "search_text"]
    inlines = [EscoOccupationLabelInline, EscoOccupationSkillInline]


@admin.register(EscoRelease)
class EscoReleaseAdmin(admin.ModelAdmin):
    list_display = ["version", "loaded_at", "skills", "occupations", "source"]


def skill_suggestion_attrs() -> dict[str, str]:
    """What the outcome form's skill picker needs for its "Suggest skills" button
    (static/taxonomies/skill_suggestions.js): where to ask, and its words in the interface
    language (the admin's JavaScript catalogue holds Django's own strings only)."""
    return {
        "data-suggest-url": reverse("admin:taxonomies_escoskill_suggest"),
        "data-suggest-text": json.dumps(
            {
                "button": _("Suggest skills"),
                "busy": _("Looking for skills…"),
                "write_first": _("Write the learning outcome first."),
                "none": _("No skill found for this outcome."),
                "failed": _("Suggestions are not available right now."),
                "from": _("from"),
                "added": _("added"),
                "hint": _("Click a skill to add it; nothing is saved until you save the form."),
            }
        ),
    }
