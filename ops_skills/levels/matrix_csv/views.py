"""The web side of the matrix import and export: upload → preview → confirm, and the download.

The preview is a dry run of ``matrix_import``; the sheet waits in the session until confirmed.
Login and role are checked by ``ops_skills/levels/views.py``, which calls these.
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.http import content_disposition_header

from ops_skills.levels.matrix_csv.apply import ImportResult, matrix_import
from ops_skills.levels.matrix_csv.parse import UnreadableFile, decode
from ops_skills.levels.matrix_csv.write import matrix_export
from ops_skills.people.models import Team

TEMPLATE = "skills/matrix_import.html"
SESSION_KEY = "skills:matrix-import"
PREVIEW_LIMIT = 200  # rows of each list the preview page shows


class MatrixUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        allow_empty_file=True,  # an empty file gets the import's own error, like from the shell
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if upload.size > limit:
            self.add_error("file", f"The file is larger than {limit // (1024 * 1024)} MB.")
            return cleaned
        try:
            cleaned["text"] = decode(upload.read())
        except UnreadableFile as exc:
            self.add_error("file", f"Cannot read {upload.name}: {exc}.")
        cleaned["filename"] = PurePath(upload.name).name
        return cleaned


def import_view(request):
    """GET: the upload form. POST a file: the preview, nothing written. POST confirm: the write."""
    if request.method == "POST" and "confirm" in request.POST:
        return _import_confirm(request)
    if request.method == "POST":
        form = MatrixUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, TEMPLATE, {"form": form}, status=400)
        return _import_preview(request, form.cleaned_data["text"], form.cleaned_data["filename"])
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, TEMPLATE, {"form": MatrixUploadForm()})


def _import_preview(request, text: str, filename: str):
    request.session.pop(SESSION_KEY, None)  # a new upload replaces one waiting for confirmation
    result = matrix_import(author=request.user, text=text, filename=filename, dry_run=True)
    token = ""
    if result.ok and result.plan.has_work:
        # Kept server-side (the session is in the database) until confirmed: any worker can apply it.
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {"token": token, "text": text, "filename": result.filename}
    return _render_result(request, result, token)


def _import_confirm(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or not constant_time_compare(pending["token"], request.POST.get("token", "")):
        messages.error(request, "This import expired or another file was uploaded since. Upload the file again.")
        return redirect("skills:matrix-import")
    del request.session[SESSION_KEY]  # used once, whatever the outcome
    result = matrix_import(author=request.user, text=pending["text"], filename=pending["filename"])
    if not result.written:
        return _render_result(request, result, "")
    messages.success(request, f"Imported {result.filename}: {result.plan.summary()}.")
    return redirect("skills:matrix")


def _render_result(request, result: ImportResult, token: str):
    plan = result.plan
    context = {
        "form": MatrixUploadForm(),
        "result": result,
        "plan": plan,
        "token": token,
        "limit": PREVIEW_LIMIT,
        "teams_to_create": plan.teams_to_create[:PREVIEW_LIMIT],
        "systems_to_create": plan.systems_to_create[:PREVIEW_LIMIT],
        "people_to_create": plan.people_to_create[:PREVIEW_LIMIT],
        "people_to_update": plan.people_to_update[:PREVIEW_LIMIT],
        "skills_to_create": plan.skills_to_create[:PREVIEW_LIMIT],
        "changes": plan.changes[:PREVIEW_LIMIT],
    }
    return render(request, TEMPLATE, context, status=200 if result.ok else 400)


def export_view(request):
    """The matrix as a CSV download, for one team (``?team=<slug>``) or everyone."""
    slug = request.GET.get("team", "")
    team = get_object_or_404(Team, slug=slug) if slug else None
    filename = f"skill-matrix-{team.slug}.csv" if team else "skill-matrix.csv"
    # The BOM makes Excel read the file as UTF-8 (names with accents); the import ignores it.
    response = HttpResponse("\ufeff" + matrix_export(team=team), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
