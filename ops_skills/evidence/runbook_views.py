"""Runbook pages (being written)."""

from django.http import Http404


def _not_yet(request, *args, **kwargs):
    raise Http404


runbook_list = runbook_create = runbook_detail = runbook_edit = runbook_mark_read = _not_yet
runbook_mark_reviewed = runbook_revisions = runbook_diff = _not_yet
