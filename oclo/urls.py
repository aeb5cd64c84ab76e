from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "OCLO - provider administration"
admin.site.site_title = "OCLO admin"
admin.site.index_title = "Learning opportunities and reference data"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("recognition.api.urls")),
    path("api/v1/", include("catalogue.api.urls")),
    path("recognition/", include("recognition.urls")),
    path("", include("catalogue.urls")),
]

handler404 = "catalogue.api.errors.not_found"
handler500 = "catalogue.api.errors.server_error"
