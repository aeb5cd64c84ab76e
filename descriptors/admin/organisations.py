"""Organisations in the admin, and (for superusers) the staff who maintain their records."""

from django.contrib import admin

from descriptors.models import Organisation, OrganisationMember
from descriptors.services import organisation_member_add


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
    search_fields = ["name", "legal_name", "legal_identifier"]
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
