from django.contrib import admin
from django.urls import converters, include, path, re_path, register_converter

from catalogue.api.errors import api_path_unknown
from oclo.i18n import language_prefixed


class RecordIdConverter(converters.IntConverter):
    """A record id in an API path. Ids are 64-bit: a longer number names nothing and answers
    404 here, instead of overflowing the database driver."""

    regex = "[0-9]{1,18}"


register_converter(RecordIdConverter, "id")

admin.site.site_header = "OCLO - provider administration"
admin.site.site_title = "OCLO admin"
admin.site.index_title = "Learning opportunities and reference data"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("recognition.api.urls")),
    path("api/v1/", include("catalogue.api.urls")),
    # Any other path under /api/ answers JSON, never an HTML page.
    re_path(r"^api/", api_path_unknown),
]
# Public pages have one address per language: /about/, /it/about/, /fr/about/...
urlpatterns += language_prefixed(
    path("recognition/", include("recognition.urls")),
    path("", include("catalogue.urls")),
)

handler404 = "catalogue.api.errors.not_found"
handler500 = "catalogue.api.errors.server_error"
