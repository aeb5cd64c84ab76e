"""Who sees what in the admin: provider staff reach only their own organisations' records,
through ``for_user`` on every query, object check and provider choice, so that a direct URL
cannot reach another organisation's records."""

from simple_history.admin import SimpleHistoryAdmin


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
