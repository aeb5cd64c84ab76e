from django.contrib import admin

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
)


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
