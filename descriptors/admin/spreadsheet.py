"""The spreadsheet template in the admin: download it (empty, or with the selected records),
upload a filled one, follow its preview and confirm the import the task worker runs."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from descriptors.formats.spreadsheet import (
    SpreadsheetError,
    dump_template_csv,
    dump_template_xlsx,
    opportunities_rows,
    spreadsheet_check,
    template_rows,
)
from descriptors.models import Organisation, SpreadsheetImport
from descriptors.tasks import (
    spreadsheet_import_confirm,
    spreadsheet_import_retry,
    spreadsheet_import_start,
)

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class SpreadsheetImportForm(forms.Form):
    file = forms.FileField(
        label=_("spreadsheet"), help_text=_("The template filled in, as CSV or XLSX.")
    )
    provider = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("provider"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = Organisation.objects.for_user(user)
        self.fields["provider"].queryset = own
        if own.count() == 1:
            self.fields["provider"].initial = own.get()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB: split it."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        try:  # an unreadable file or a wrong header is refused now, not by the worker later
            spreadsheet_check(upload.read(), upload.name)
        except SpreadsheetError as error:
            raise forms.ValidationError(str(error)) from error
        upload.seek(0)
        return upload


class SpreadsheetViewsMixin:
    """The learning opportunities admin's import pages, template downloads and export action."""

    def template_view(self, request, extension: str):
        if extension not in ("csv", "xlsx"):
            raise PermissionDenied
        return _download(f"opportunities-template.{extension}", template_rows())

    def import_view(self, request):
        """Upload: the file is kept and its preview queued for the task worker."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SpreadsheetImportForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            job = spreadsheet_import_start(
                provider=form.cleaned_data["provider"],
                uploaded_by=request.user,
                file_name=upload.name,
                content=upload.read(),
            )
            return redirect("admin:descriptors_learningopportunity_import_status", job.pk)
        recent = SpreadsheetImport.objects.for_user(request.user).defer("report")[:10]
        return self._import_page(request, form=form, recent=recent)

    def import_status_view(self, request, pk: int):
        """A preview or import: its progress while the worker runs it, then its report; a
        finished preview can be confirmed here, a stalled job queued again."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        job = get_object_or_404(SpreadsheetImport.objects.for_user(request.user), pk=pk)
        if request.method == "POST":
            run_again = request.POST.get("action") == "retry"
            try:
                if run_again:
                    spreadsheet_import_retry(job=job)
                else:
                    spreadsheet_import_confirm(job=job)
            except ValueError as error:
                messages.error(request, str(error))
            return redirect("admin:descriptors_learningopportunity_import_status", job.pk)
        return self._import_page(request, job=job)

    def _import_page(self, request, **context):
        return TemplateResponse(
            request,
            "admin/descriptors/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Import learning opportunities from a spreadsheet"),
                **context,
            },
        )

    @admin.action(description=_("Export the selected in the import template (CSV)"))
    def export_template_csv(self, request, queryset):
        return _download("opportunities.csv", opportunities_rows(queryset))


def _download(filename: str, rows) -> HttpResponse:
    xlsx = filename.endswith(".xlsx")
    response = HttpResponse(
        dump_template_xlsx(rows) if xlsx else dump_template_csv(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if xlsx
        else "text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
