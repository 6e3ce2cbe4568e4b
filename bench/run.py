#!/usr/bin/env python
"""Benchmarks of the skill matrix: how long the big pages and the import take, and how much memory.

Measured, not asserted: ``make bench`` (or ``.venv/bin/python bench/run.py``) builds a large
organisation in a fresh database (SQLite under ``bench/out/`` unless ``--database-url`` names
another), with its runbooks and evidence records, then times

- the matrix page filtered on one team (60 active people × 400 skills by default), as its lead;
- the unfiltered matrix (100 people a page, at most 600 skills);
- the current levels of everyone in every skill, and in one team's skills (bench/levels.py);
- the preview and the import of a 500-person × 1,000-skill spreadsheet, and of the same sheet
  again with a tenth of its cells changed.

Each measurement runs in a child process of its own, so its maximum RSS is its own and not the
generator's. Times are taken without tracemalloc (which slows Python down several times); the
peak of traced memory comes from a second, traced run (for a write, inside a transaction that is
rolled back). Results go to the terminal and to ``bench/out/results.json``; see bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import unquote, urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DEFAULT_SQLITE = OUT / "bench.sqlite3"
SLOW_PAGE = 1.0  # seconds: a matrix page slower than this gets profiled

FULL = {
    "teams": 20,
    "people": 2000,
    "skills": 5000,
    "assessments": 200_000,
    "evidence": 200_000,
    "matrix_people": 60,
    "matrix_skills": 400,
    "import_people": 500,
    "import_skills": 1000,
    "runs": 5,
}
QUICK = {
    "teams": 10,
    "people": 200,
    "skills": 500,
    "assessments": 20_000,
    "evidence": 20_000,
    "matrix_people": 20,
    "matrix_skills": 100,
    "import_people": 100,
    "import_skills": 200,
    "runs": 3,
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help=f"default: a fresh SQLite file, {DEFAULT_SQLITE.relative_to(ROOT)}")
    parser.add_argument("--quick", action="store_true", help="a small organisation, for a smoke run")
    parser.add_argument("--teams", type=int)
    parser.add_argument("--people", type=int, help="people in the organisation (default 2,000)")
    parser.add_argument("--skills", type=int, help="skills in the organisation, ten per system (default 5,000)")
    parser.add_argument("--assessments", type=int, help="assessment rows (default 200,000)")
    parser.add_argument(
        "--evidence", type=int, help="runbook executions + pairing sessions (default 200,000; 0: none, no runbooks)"
    )
    parser.add_argument("--no-copy", action="store_true", help="generate with bulk_create on PostgreSQL too, not COPY")
    parser.add_argument("--matrix-people", type=int, help="active people of the filtered team (default 60)")
    parser.add_argument("--matrix-skills", type=int, help="skills of the filtered team (default 400)")
    parser.add_argument("--import-people", type=int, help="rows of the import sheet (default 500)")
    parser.add_argument("--import-skills", type=int, help="skill columns of the import sheet (default 1,000)")
    parser.add_argument("--runs", type=int, help="timed requests per page, after one warm-up (default 5)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--profile", action="store_true", help="profile the matrix pages even when fast")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-levels", action="store_true", help="leave out the current levels (bench/levels.py)")
    parser.add_argument("--output", default=str(OUT / "results.json"), help="default: bench/out/results.json")
    # A measurement in a child process (run.py calls itself).
    parser.add_argument("--child", choices=["import", "matrix"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rollback", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    parser.add_argument("--slow-page", type=float, default=SLOW_PAGE, help=argparse.SUPPRESS)  # profiled above this
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.database_url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    return args


def configure(database_url: str) -> None:
    """The environment of every process: production settings, this database, tasks run inline."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "ops_skills.settings"
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["DATABASE_URL"] = database_url
    os.environ["STATIC_ROOT"] = str(OUT / "static")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Run as a script, bench/ is sys.path[0]: a script named like a package would hide it.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def mb(n: float) -> float:
    return round(n / (1024 * 1024), 1)


def own_process(command: list[str]) -> list[str]:
    """``command`` started through ``sh``, which forks it. On Linux a process started straight from
    this one keeps this one's maximum RSS (``ru_maxrss`` survives exec), so a measurement would
    never report less than what the generator used; a process forked by ``sh`` starts afresh."""
    return ["sh", "-c", '"$@"; exit $?', "sh", *command]


# The database ---------------------------------------------------------------------------------


def fresh_database(database_url: str) -> str:
    """Start from nothing: remove the SQLite file, or drop and create the PostgreSQL database
    (only one whose name says it is a benchmark's)."""
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        path = Path(unquote(url.path)[1:]).resolve()  # as dj-database-url reads it: sqlite:////abs, sqlite:///rel
        if "bench" not in path.name and not path.is_relative_to(OUT):
            sys.exit(f"refusing to delete {path}: give a file under bench/out/ or whose name contains 'bench'")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"SQLite file {path}"
    if url.scheme in {"postgres", "postgresql", "pgsql"}:
        import psycopg
        from psycopg import sql

        name = unquote(url.path.lstrip("/"))
        if "bench" not in name:
            sys.exit(f"refusing to drop the database {name!r}: give one whose name contains 'bench'")
        admin_url = url._replace(path="/postgres").geturl().replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists:
                conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return f"PostgreSQL database {name} ({'dropped and re-created' if exists else 'created'})"
    sys.exit(f"unsupported database URL {database_url!r}: use sqlite:///… or postgresql://…")


def has_organisation() -> bool:
    """Whether the configured database already holds bench/generate.py's organisation."""
    from django.db import DatabaseError, connection

    from bench.generate import ADMIN_EMAIL
    from ops_skills.people.models import Person

    try:
        return Person.objects.filter(email=ADMIN_EMAIL).exists()
    except DatabaseError:
        return False
    finally:
        connection.close()


def generated_database(database_url: str, *, reuse_file: Path | None = None, reuse: bool = False) -> float | None:
    """Configure Django for ``database_url`` with the large organisation in it: the SQLite file
    ``reuse_file`` as it is when it exists, or (``reuse``) the database as it is when it already
    holds the organisation (SQLite or PostgreSQL); otherwise a fresh database, migrated and
    generated. Returns the seconds the generation took, None when reused."""
    from django.core.management import call_command

    configure(database_url)
    if (reuse_file is not None and reuse_file.exists()) or (reuse and has_organisation()):
        # Migrated to the code being measured: a reused database from before a schema change
        # measured the old schema (the migrations that rebuild a table also gather its
        # statistics again, see levels 0003).
        call_command("migrate", verbosity=0, interactive=False)
        return None
    print(fresh_database(database_url), flush=True)

    from bench import generate

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    start = time.perf_counter()
    summary = generate.generate_org(generate.OrgSize())
    seconds = round(time.perf_counter() - start, 1)
    print(f"generated in {seconds} s: {summary}", flush=True)
    return seconds


def write_results(outcome: dict, output: Path, table) -> Path:
    """Write ``outcome`` as JSON to ``output`` and to a copy per database, so that a SQLite run
    and a PostgreSQL run can be compared, then print it with ``table`` (the calling benchmark's formatter)."""
    text = json.dumps(outcome, indent=2) + "\n"
    output.write_text(text)
    output.with_name(f"{output.stem}-{outcome['database']['vendor']}.json").write_text(text)
    print()
    print(table(outcome))
    return output


def database_info() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("show server_version")
        version = cursor.fetchone()[0]
    info = {"vendor": connection.vendor, "version": version}
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        info["file_mb"] = mb(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")))
    else:
        with connection.cursor() as cursor:
            cursor.execute("select pg_database_size(current_database())")
            info["size_mb"] = mb(cursor.fetchone()[0])
    return info


# Children: one measurement each -----------------------------------------------------------------


def child_import(args) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.generate import ADMIN_EMAIL
    from ops_skills.levels.matrix_csv import matrix_import
    from ops_skills.people.models import Person

    text = Path(args.csv).read_text(encoding="utf-8")
    author = Person.objects.get(email=ADMIN_EMAIL)
    rss_before = max_rss_mb()
    if args.trace:
        tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        if args.rollback:
            with transaction.atomic():
                result = matrix_import(author=author, text=text, filename=Path(args.csv).name, dry_run=args.dry_run)
                transaction.set_rollback(True)
        else:
            result = matrix_import(author=author, text=text, filename=Path(args.csv).name, dry_run=args.dry_run)
        elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if args.trace else None
    tracemalloc.stop()
    plan = result.plan
    return {
        "seconds": round(elapsed, 3),
        "traced": args.trace,
        "peak_traced_mb": mb(peak) if peak is not None else None,
        "max_rss_mb_before": round(rss_before, 1),
        "max_rss_mb": round(max_rss_mb(), 1),
        "queries": len(queries),
        "query_list": [f"{float(q['time']) * 1000:7.1f} ms  {q['sql'][:150]}" for q in queries.captured_queries],
        "ok": result.ok,
        "written": result.written and not args.rollback,
        "summary": plan.summary(),
        "rows": plan.rows,
        "changes": len(plan.changes),
        "unchanged": plan.unchanged,
        "errors": [str(e) for e in plan.errors.items[:3]],
        "text_mb": mb(len(text.encode())),
    }


def child_matrix(args) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ops_skills.people.models import Person

    client = Client()
    client.force_login(Person.objects.get(email=args.user))

    def get():
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(args.path, HTTP_HOST="localhost", secure=True)
            elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"GET {args.path} answered {response.status_code}")
        return elapsed, response, queries

    rss_before = max_rss_mb()
    get()  # warm-up: templates compiled, connections open, caches filled
    times, query_counts = [], []
    for _ in range(args.runs):
        elapsed, response, queries = get()
        times.append(elapsed)
        query_counts.append(len(queries))
    rss = max_rss_mb()
    tracemalloc.start()
    traced_seconds = get()[0]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    content = response.content
    result = {
        "path": args.path,
        "runs": args.runs,
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "min_s": round(min(times), 3),
        "times_s": [round(t, 3) for t in times],
        "queries": max(query_counts),
        "query_list": [f"{float(q['time']) * 1000:7.1f} ms  {q['sql'][:150]}" for q in queries.captured_queries],
        "bytes": len(content),
        "gzip_bytes": len(gzip.compress(content, 6)),
        "cells": content.count(b'<button type="button" class="l'),
        "rows": content.count(b"<tr data-p="),
        "max_rss_mb_before": round(rss_before, 1),
        "max_rss_mb": round(rss, 1),
        "peak_traced_mb": mb(peak),
        "traced_seconds": round(traced_seconds, 3),
    }
    if args.profile or result["median_s"] > args.slow_page:
        result["profile"] = profile(lambda: get(), OUT / f"matrix-{args.name}.prof")
    return result


def profile(call, path: Path, top: int = 20) -> dict:
    profiler = cProfile.Profile()
    profiler.runcall(call)
    profiler.dump_stats(path)
    report = {"file": str(path.relative_to(ROOT))}
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(top)
        text = out.getvalue()
        report[key] = text[text.find("   ncalls") :].rstrip()  # without the preamble
    return report


def run_child(args, kind: str, **options) -> dict:
    command = [sys.executable, str(Path(__file__)), "--child", kind, "--database-url", args.database_url]
    command += ["--runs", str(args.runs)]
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            command.append(flag)
        elif value not in (None, False):
            command += [flag, str(value)]
    if args.profile:
        command.append("--profile")
    done = subprocess.run(own_process(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {kind} measurement failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# The run ---------------------------------------------------------------------------------------


def step(label: str) -> None:
    print(f"· {label}", flush=True)


def main(args) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    what = fresh_database(args.database_url)
    configure(args.database_url)

    from django.core.management import call_command

    from bench import generate

    results: dict = {"options": {k: v for k, v in vars(args).items() if v is not None and k in FULL | {"seed": 0}}}
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    step(f"database: {what}")
    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    results["migrate_s"] = round(time.perf_counter() - start, 2)
    # The production static storage needs its manifest; collectstatic copies only what changed.
    call_command("collectstatic", verbosity=0, interactive=False)

    size = generate.OrgSize(
        teams=args.teams,
        people=args.people,
        systems=args.skills // generate.SKILLS_PER_SYSTEM,
        assessments=args.assessments,
        evidence=args.evidence,
        copy=not args.no_copy,
        focus_people=args.matrix_people,
        focus_systems=args.matrix_skills // generate.SKILLS_PER_SYSTEM,
        **({"seed": args.seed} if args.seed is not None else {}),
    )
    step(
        f"generating {size.people:,} people, {size.systems * 10:,} skills, {size.assessments:,} assessments, "
        f"{size.evidence:,} evidence records"
    )
    start = time.perf_counter()
    org = generate.generate_org(size)
    results["generate"] = {"seconds": round(time.perf_counter() - start, 2), "max_rss_mb": round(max_rss_mb(), 1)}
    results["org"] = org.as_dict()
    results["database"] = database_info()

    step(f"matrix of team {org.focus_team} ({org.focus_team_people} people × {org.focus_team_skills} skills)")
    results["matrix_team"] = run_child(
        args, "matrix", path=f"/matrix/?team={org.focus_team}", user=org.focus_lead, name="team"
    )
    step("matrix of everyone (first 100 people, first 600 skills)")
    results["matrix_all"] = run_child(args, "matrix", path="/matrix/?team=", user=org.focus_lead, name="all")

    if not args.skip_levels:
        from bench import levels

        step("current levels of everyone, and in the focus team's skills (bench/levels.py)")
        results["levels"] = levels.measure(args.database_url, runs=levels.RUNS)

    if not args.skip_import:
        results["import"] = measure_import(args, generate)
    results["database_after"] = database_info()
    return results


def measure_import(args, generate) -> dict:
    p, s = args.import_people, args.import_skills
    step(f"writing the {p} × {s} import sheet (its teams and systems are created first)")
    start = time.perf_counter()
    sheet = generate.write_matrix_csv(OUT / f"matrix-{p}x{s}.csv", people=p, skills=s)
    header, rows = generate.matrix_csv_rows(people=p, skills=s)
    changed = OUT / f"matrix-{p}x{s}-changed.csv"
    generate.write_csv(changed, header, generate.changed_rows(rows))
    out = {"sheet": vars(sheet), "write_csv_s": round(time.perf_counter() - start, 2)}

    def both(label: str, csv_path: Path, dry_run: bool) -> dict:
        # Timed untraced; traced once more for the memory peak (a write rolled back, then done for real).
        if dry_run:
            step(f"{label}: preview (dry run)")
            timed = run_child(args, "import", csv=csv_path, dry_run=True)
            traced = run_child(args, "import", csv=csv_path, dry_run=True, trace=True)
        else:
            step(f"{label}: import, traced and rolled back")
            traced = run_child(args, "import", csv=csv_path, trace=True, rollback=True)
            step(f"{label}: import")
            timed = run_child(args, "import", csv=csv_path)
            if not timed["written"]:
                raise SystemExit(f"the import was not written: {timed['errors']}")
        return timed | {"peak_traced_mb": traced["peak_traced_mb"], "traced_seconds": traced["seconds"]}

    out["first_preview"] = both("new sheet", Path(sheet.path), dry_run=True)
    out["first_import"] = both("new sheet", Path(sheet.path), dry_run=False)
    out["changed_preview"] = both("same sheet, 10% of cells changed", changed, dry_run=True)
    out["changed_import"] = both("same sheet, 10% of cells changed", changed, dry_run=False)
    return out


def table(results: dict) -> str:
    org = results["org"]
    lines = [
        f"ops-skills benchmark · {results['database']['vendor']} {results['database']['version']} · "
        f"{results['machine']['cpus']} CPUs · Python {results['machine']['python']}",
        f"organisation: {org['teams']} teams, {org['people']:,} people ({org['departed_people']} departed, "
        f"{org['leads']} leads), {org['systems']:,} systems, {org['skills']:,} skills, "
        f"{org['assessments']:,} assessments ({org['pairs']:,} person-skill pairs, "
        f"{org['pairs_with_history']:,} with a history), {org.get('runbooks', 0):,} runbooks, "
        f"{org.get('executions', 0):,} runbook executions and {org.get('sessions', 0):,} pairing sessions",
        "",
        f"{'measurement':<46} {'time':>16} {'queries':>8} {'peak traced':>12} {'max RSS':>9}  notes",
    ]

    def row(name, time_, queries="", peak="", rss="", notes=""):
        lines.append(f"{name:<46} {time_:>16} {queries!s:>8} {peak:>12} {rss:>9}  {notes}")

    row(
        "generate the organisation",
        f"{results['generate']['seconds']:.1f} s",
        rss=f"{results['generate']['max_rss_mb']} MB",
    )
    for key, label in (("matrix_team", "matrix, one team"), ("matrix_all", "matrix, everyone")):
        m = results[key]
        row(
            f"{label} ({m['rows']} × {m['cells'] // max(m['rows'], 1)})",
            f"{m['median_s']:.3f} / {m['max_s']:.3f} s",
            m["queries"],
            f"{m['peak_traced_mb']} MB",
            f"{m['max_rss_mb']} MB",
            f"median / max of {m['runs']}; {m['bytes'] / 1e6:.2f} MB HTML ({m['gzip_bytes'] / 1e3:.0f} kB gzip)",
        )
    if "import" in results:
        imp = results["import"]
        sheet = imp["sheet"]
        for key, label in (
            ("first_preview", "preview new sheet"),
            ("first_import", "import new sheet"),
            ("changed_preview", "preview sheet, 10% changed"),
            ("changed_import", "import sheet, 10% changed"),
        ):
            r = imp[key]
            row(
                f"{label} ({sheet['people']} × {sheet['skills']})",
                f"{r['seconds']:.2f} s",
                r["queries"],
                f"{r['peak_traced_mb']} MB",
                f"{r['max_rss_mb']} MB",
                r["summary"] if key.endswith("import") else f"{r['changes']:,} changes planned",
            )
        lines.append(
            f"\nsheet: {sheet['bytes'] / 1e6:.2f} MB, {sheet['filled_cells']:,} filled cells; "
            f"a child process starts at about {imp['first_import']['max_rss_mb_before']} MB RSS"
        )
    if "levels" in results:
        from bench import levels

        lines.append("")
        lines += levels.rows(results["levels"])
    after = results["database_after"]
    lines.append(f"database size after the run: {after.get('file_mb', after.get('size_mb'))} MB")
    for key in ("matrix_team", "matrix_all"):
        if "profile" in results[key]:
            lines.append(f"\nprofile of {results[key]['path']} (by own time):\n{results[key]['profile']['tottime']}")
    return "\n".join(lines)


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child:
        configure(arguments.database_url)
        measure = child_import if arguments.child == "import" else child_matrix
        print(json.dumps(measure(arguments)))
    else:
        started = time.perf_counter()
        outcome = main(arguments)
        outcome["total_s"] = round(time.perf_counter() - started, 1)
        output = write_results(outcome, Path(arguments.output), table)
        print(f"\nresults written to {output} ({outcome['total_s']} s in all)")
