"""How long rendering user Markdown takes, by the shape and size of the text (issue 12, hardening).

Python-Markdown is quadratic (or recurses until Python gives up) on some input, its issue #798:
4 KB of ``[`` took 7 s. ``ops_skills.evidence.markdown`` now guards the source and the text of
each element against those shapes. For each shape this renders 4 KB, 40 KB and the input cap
(``RUNBOOK_BODY_MAX_LENGTH``, 100,000 characters) twice: "before" with plain Python-Markdown as
the app used it (the same extensions, no guards), "after" with ``render_document``. A "before"
run is stopped after ``--timeout`` seconds (shown as ">N s"). Measured, not asserted; no database.

    .venv/bin/python bench/markdown_render.py                  # every shape, every size
    .venv/bin/python bench/markdown_render.py --shape '[' --sizes 4000 40000
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import sys
import time
from pathlib import Path

# Replaces this folder on the path: this file would hide the markdown package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops_skills.settings")

import django  # noqa: E402

django.setup()

from ops_skills.evidence import markdown  # noqa: E402
from ops_skills.evidence.models import RUNBOOK_BODY_MAX_LENGTH, RUNBOOK_TEMPLATE  # noqa: E402

EXAMPLE = (Path(__file__).resolve().parent.parent / "examples/runbooks/restore-database-from-snapshot.md").read_text()


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _lines(make, size: int) -> str:
    out, n = [], 0
    while sum(map(len, out)) < size:
        out.append(make(n))
        n += 1
    return "".join(out)[:size]


SHAPES = {
    "[": lambda n: _fill("[", n),
    "![": lambda n: _fill("![", n),
    "[ per line": lambda n: _fill("[\n", n),
    "[[]] nested": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "[a](": lambda n: _fill("[a](", n),
    "[a][": lambda n: _fill("[a][", n),
    "``a`": lambda n: _fill("``a`", n),
    "<a ": lambda n: _fill("<a ", n),
    "a<b ": lambda n: _fill("a<b ", n),
    "<b x='>' ": lambda n: _fill("<b x='>' ", n),
    "<": lambda n: _fill("<", n),
    "- - x (nested)": lambda n: _fill("- ", n - 1) + "x",
    "1. 1. x (nested)": lambda n: _fill("1. ", n - 1) + "x",
    "> (nested)": lambda n: _fill(">", n),
    "indented lists": lambda n: _lines(lambda i: "    " * i + "- a\n\n", n),
    "*a": lambda n: _fill("*a", n),
    "_a": lambda n: _fill("_a", n),
    "&#": lambda n: _fill("&#1", n),
    "\\": lambda n: _fill("\\", n),
    "# a (headings)": lambda n: _fill("# a\n", n),
    "a\\n= (setext)": lambda n: _fill("a\n=\n", n),
    "table rows": lambda n: "a|b\n-|-\n" + _fill("a|b\n", n - 8),
    "normal text": lambda n: _fill("Some text with a [link](https://example.com/a) and *emphasis* and `code`.\n\n", n),
    "example runbook": lambda n: _fill(EXAMPLE + "\n", n),
    "template": lambda n: _fill(RUNBOOK_TEMPLATE + "\n", n),
}


def _before(text: str) -> None:
    with contextlib.suppress(RecursionError):
        markdown._new_markdown().convert(text)


def _after(text: str) -> None:
    markdown.render_document(text)


def _time(function, text: str, timeout: float) -> str:
    """Seconds for one run in a child process (a stuck one is stopped), as text."""
    process = multiprocessing.Process(target=function, args=(text,))
    start = time.perf_counter()
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
        return f">{timeout:.0f} s"
    return f"{time.perf_counter() - start:.2f} s"


def _outcome(text: str) -> str:
    """What happened before: a RecursionError is a 500 on the page."""
    try:
        markdown._new_markdown().convert(text[:4000] if len(text) > 4000 else text)
    except RecursionError:
        return "RecursionError (500)"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES), help="only these shapes")
    parser.add_argument("--sizes", type=int, nargs="+", default=[4_000, 40_000, RUNBOOK_BODY_MAX_LENGTH])
    parser.add_argument("--timeout", type=float, default=30.0, help="stop a run after this many seconds")
    parser.add_argument("--after-only", action="store_true", help="skip the unguarded runs")
    args = parser.parse_args()
    print(f"{'shape':18} {'size':>8} {'before':>9} {'after':>8}  note")
    for name in args.shape or SHAPES:
        for size in args.sizes:
            text = SHAPES[name](size)
            before = "-" if args.after_only else _time(_before, text, args.timeout)
            after = _time(_after, text, args.timeout)
            guarded = markdown.guard_source(text)
            note = ", ".join(
                f"{label} {value}"
                for label, value in (
                    ("deep lines", guarded.deep_lines),
                    ("split blocks", guarded.split_blocks),
                    ("escaped tags", guarded.escaped_tags),
                )
                if value
            )
            if size == args.sizes[0] and (crashed := _outcome(text)):
                note = f"{note}; before: {crashed}" if note else f"before: {crashed}"
            print(f"{name:18} {len(text):8} {before:>9} {after:>8}  {note}", flush=True)


if __name__ == "__main__":
    main()
