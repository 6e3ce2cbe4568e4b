"""Spreadsheet import and export of the skill matrix (being written)."""


def import_view(request):
    raise NotImplementedError


def export_view(request):
    raise NotImplementedError
