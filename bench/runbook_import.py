"""How long ``import_runbooks`` takes to read a file, by its size and shape (issue 12, finding 7).

Reading a file (``parse_runbook``) and checking its sections (``section_headings_missing``) must
take time in proportion to its size, whatever is in it: a 4 MB file once took 15 s and a 42 MB
one an hour. For each shape this reads a file of 1/4, 1/2 and all of the size cap
(``RUNBOOK_IMPORT_MAX_BYTES``, 1 MiB) and prints the seconds and the growth from one size to the
next: about 2 is linear, 4 quadratic. Measured, not asserted; no database.

    .venv/bin/python bench/runbook_import.py

Before the fix, the section check rendered the body with Python-Markdown (3 s a MB of the
template; 12 s for 4,000 opening brackets, quadratic), leading blank lines were dropped one
``pop(0)`` at a time (quadratic) and the title regex backtracked (cubic: 40 s for a heading of
2,000 spaces). The runbook page still renders with Python-Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops_skills.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from ops_skills.evidence.models import RUNBOOK_TEMPLATE  # noqa: E402
from ops_skills.evidence.runbook_import import (  # noqa: E402
    RunbookFileError,
    parse_runbook,
    section_headings_missing,
)

FRONT = "---\nsystem: postgres-main\nreview_interval_days: 90\n---\n"

# Each makes a body of about n characters.
SHAPES = {
    "template, repeated": lambda n: RUNBOOK_TEMPLATE * (n // len(RUNBOOK_TEMPLATE)),
    "blank lines, then a heading": lambda n: "\n" * n + "## Purpose\n",
    "a level-1 heading of spaces": lambda n: "# a" + " " * n + "x\n",
    "one long line": lambda n: "word " * (n // 5) + "\n",
    "opening brackets": lambda n: "[" * n + "\n",
    "nested quotes": lambda n: ">" * n + " a\n",
    "fences and headings": lambda n: "```\n# x\n```\n## Steps\n" * (n // 22),
}


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    cap = settings.RUNBOOK_IMPORT_MAX_BYTES
    sizes = [cap // 4, cap // 2, cap - len(FRONT) - 100]
    print(f"size cap {cap:,} bytes; sizes {', '.join(f'{s:,}' for s in sizes)}")
    for name, make in SHAPES.items():
        figures, previous = [], None
        for size in sizes:
            text = FRONT + make(size)

            def read(text=text):
                with contextlib.suppress(RunbookFileError):  # refused (a title too long): read all the same
                    section_headings_missing(parse_runbook(text, filename="bench.md").body)

            took = seconds(read)
            growth = f" ×{took / previous:.1f}" if previous else ""
            figures.append(f"{took:.3f} s{growth}")
            previous = max(took, 1e-6)
        print(f"{name:30} {' | '.join(figures)}")


if __name__ == "__main__":
    main()
