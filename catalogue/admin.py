from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from catalogue.models import ApiToken, ElmImport
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


@admin.register(ElmImport)
class ElmImportAdmin(admin.ModelAdmin):
    """Superusers see what organisations' systems imported: each job's report names the records
    created, updated and rejected, what was dropped and any vocabulary value added."""

    list_display = ["pk", "organisation", "status", "records_done", "records_total", "created"]
    list_filter = ["status"]
    search_fields = ["organisation__name"]
    fields = [
        "organisation",
        "token",
        "status",
        "records_total",
        "records_done",
        "report",
        "error",
        "created",
        "finished",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
