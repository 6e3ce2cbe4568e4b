"""Spreadsheet import and export of the skill matrix (DESIGN.md, "Interfaces").

The file is ``email,name,team,<system>/<skill>,…`` with levels 0–4 or empty cells. Five modules,
kept apart so each reads and tests alone, each importing only the ones before it:

- ``parse``: plain functions from the text to a ``Sheet``, the rows and columns read and checked
  on their own, with errors at a line and column;
- ``plan``: from the sheet and plain data read from the database (``load_state``, a fixed number
  of queries) to a ``MatrixPlan``, what an import would create and change, or the errors that
  stop it, the lead's limits included;
- ``apply``: ``matrix_import`` parses and plans, then applies the plan in one short transaction,
  all or nothing;
- ``write``: ``matrix_export`` writes the file back;
- ``views``: upload → preview → confirm, and the download (``ops_skills/levels/views.py`` checks
  login and role).

Imported levels are lead assessments. A cell is a change only when it differs from the person's
latest lead assessment, and the export writes exactly those levels, so exporting and importing
again changes nothing.

This package exports what the rest of the project uses; the modules hold the rest.
"""

from ops_skills.levels.matrix_csv.apply import matrix_import
from ops_skills.levels.matrix_csv.parse import MAX_ERRORS, UnreadableFile, decode
from ops_skills.levels.matrix_csv.views import SESSION_KEY, export_view, import_view
from ops_skills.levels.matrix_csv.write import matrix_export

__all__ = [
    "MAX_ERRORS",
    "SESSION_KEY",
    "UnreadableFile",
    "decode",
    "export_view",
    "import_view",
    "matrix_export",
    "matrix_import",
]
