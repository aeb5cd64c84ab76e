from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from catalogue.models import ApiToken
from catalogue.tokens import api_token_issue, api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Superusers issue and revoke the tokens providers' systems write with."""

    list_display = ["organisation", "name", "prefix", "created", "last_used", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["organisation__name", "name", "prefix"]
    fields = ["organisation", "name", "prefix", "created", "last_used", "revoked_at"]
    readonly_fields = ["prefix", "created", "last_used", "revoked_at"]
    autocomplete_fields = ["organisation"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and obj is None

    def save_model(self, request, obj, form, change):
        if change:
            return
        key = api_token_issue(token=obj)
        messages.warning(
            request,
            _("Copy this token now; it is shown only once: %(key)s") % {"key": key},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
        messages.success(request, _("%(count)s token(s) revoked.") % {"count": queryset.count()})
