#!/usr/bin/env python
"""Benchmark of recomputing every current level of the large organisation. Measured, not asserted.

The organisation is bench/generate.py's: 2,000 people, 500 systems, 5,000 skills, 200,000
assessments and 200,000 evidence records (runbook executions and pairing sessions). The code
measured is the app's own, ``ops_skills.levels.facts.levels_and_practice``:

- ``everyone``: the whole organisation as the reports ask for it (``org_facts``): every person,
  every skill, no filter (``levels_and_practice(None, None)``);
- ``team``: everyone's levels in the focus team's 400 skills, as ``org_facts(team=…)``, the team
  pages and the matrix ask for them (a skill filter);
- with ``--filtered``, the whole organisation through the skill filter too: every skill as a
  queryset (``Skill.objects.all()``), and the ids of all people and all skills as lists, as a
  caller holding lists would. On SQLite each such call takes minutes (see bench/README.md).

For each call: the median of ``--runs`` (default 3) timed calls after a warm-up, the SQL
statements of the warm-up, the tracemalloc peak of one more (traced) call, and the maximum RSS
of the process before the traced call. Each call is measured in a child process of its own, so
that its memory figures are its own. For the first two, the steps of one call are also timed
one by one: the assessments, the evidence, ``rules.current_level`` over every pair, and
``last_practised_from``.

Usage::

    .venv/bin/python bench/levels.py                  # fresh SQLite file bench/out/levels-bench.sqlite3
    .venv/bin/python bench/levels.py --reuse          # measure again without regenerating
    .venv/bin/python bench/levels.py --database-url postgresql://postgres@127.0.0.1:5432/ops_skills_bench_levels
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ops_skills_bench_levels .venv/bin/python bench/levels.py

A database is dropped and created again only when its name contains ``bench`` (see bench/run.py).
Results go to ``bench/out/levels.json`` and ``bench/out/levels-<vendor>.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DEFAULT_SQLITE = OUT / "levels-bench.sqlite3"
RUNS = 3
CALLS = ("everyone", "team")
FILTERED_CALLS = ("skills queryset", "id lists")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    configure,
    database_info,
    fresh_database,
    has_organisation,
    max_rss_mb,
    mb,
    own_process,
    write_results,
)


def call_arguments(key: str) -> tuple[str, object, object]:
    """(label, people, skills) of one measured call. Django must be set up."""
    from bench.generate import ADMIN_EMAIL
    from ops_skills.people.models import Person
    from ops_skills.skills.models import Skill

    if key == "everyone":
        return "levels_and_practice(None, None)", None, None
    if key == "team":
        team = list(Skill.objects.filter(system__team__slug="focus").order_by("pk").values_list("pk", flat=True))
        return f"levels_and_practice(None, <{len(team):,} skill ids of team focus>)", None, team
    if key == "skills queryset":
        return "levels_and_practice(None, Skill.objects.all())", None, Skill.objects.all()
    if key == "id lists":
        people = list(Person.objects.exclude(email=ADMIN_EMAIL).order_by("pk").values_list("pk", flat=True))
        skills = list(Skill.objects.order_by("pk").values_list("pk", flat=True))
        return f"levels_and_practice(<{len(people):,} person ids>, <{len(skills):,} skill ids>)", people, skills
    raise ValueError(f"unknown call {key!r}")


def measure_call(key: str, runs: int = RUNS, *, profile: Path | None = None) -> dict:
    """One warm-up call, whose SQL statements are counted, then ``runs`` timed calls, then one
    traced call for the peak of Python allocations; then the steps of one call, timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ops_skills.levels.facts import levels_and_practice

    label, people, skills = call_arguments(key)
    rss_before = max_rss_mb()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        levels, practised = levels_and_practice(people, skills)
        warm_up = time.perf_counter() - start
    by_level: dict[int, int] = {}
    by_basis: dict[str, int] = {}
    for level in levels.values():
        by_level[level.level] = by_level.get(level.level, 0) + 1
        by_basis[level.basis] = by_basis.get(level.basis, 0) + 1
    result = {
        "label": label,
        "pairs": len(levels),
        "practised_pairs": len(practised),
        "covers": sum(1 for level in levels.values() if level.covers),
        "by_level": {str(k): by_level[k] for k in sorted(by_level)},
        "by_basis": by_basis,
    }
    del levels, practised  # so that two results are never held at once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        levels_and_practice(people, skills)
        times.append(time.perf_counter() - start)
    rss = max_rss_mb()
    tracemalloc.start()
    levels_and_practice(people, skills)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    result |= {
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "times_s": [round(t, 3) for t in times],
        "warm_up_s": round(warm_up, 3),
        "queries": len(queries),
        "query_s": round(sum(float(q["time"]) for q in queries.captured_queries), 3),
        "query_list": [f"{float(q['time']) * 1000:8.1f} ms  {q['sql'][:150]}" for q in queries.captured_queries],
        "peak_traced_mb": mb(peak),
        "max_rss_mb_before": round(rss_before, 1),
        "max_rss_mb": round(rss, 1),
    }
    if key in CALLS:
        result["steps_s"], result["facts"] = _steps(people, skills)
    if profile is not None:
        result["profile"] = _profile(lambda: levels_and_practice(people, skills), profile)
    return result


def _steps(people, skills) -> tuple[dict[str, float], dict[str, int]]:
    """Where one call's time goes: the steps of ``levels_and_practice``, timed one by one."""
    from ops_skills.levels import rules
    from ops_skills.levels.facts import assessment_facts, evidence_facts, last_practised_from

    steps = {}
    start = time.perf_counter()
    assessments = assessment_facts(people, skills)
    steps["assessment_facts"] = time.perf_counter() - start
    start = time.perf_counter()
    evidence = evidence_facts(people, skills)
    steps["evidence_facts"] = time.perf_counter() - start
    start = time.perf_counter()
    for pair in assessments.keys() | evidence.keys():
        rules.current_level(assessments.get(pair, ()), evidence.get(pair, ()))
    steps["current_level for every pair"] = time.perf_counter() - start
    start = time.perf_counter()
    last_practised_from(evidence)
    steps["last_practised_from"] = time.perf_counter() - start
    facts = {
        "assessment_pairs": len(assessments),
        "assessments": sum(len(v) for v in assessments.values()),
        "evidence_pairs": len(evidence),
        "evidence_facts": sum(len(v) for v in evidence.values()),
        "pairs_with_both": len(assessments.keys() & evidence.keys()),
    }
    return {name: round(seconds, 3) for name, seconds in steps.items()}, facts


def _profile(call, path: Path, top: int = 15) -> dict:
    profiler = cProfile.Profile()
    profiler.runcall(call)
    profiler.dump_stats(path)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    return {"file": str(path.relative_to(ROOT)), "tottime": text[text.find("   ncalls") :].rstrip()}


def measure(database_url: str, *, runs: int = RUNS, calls=CALLS, profile: bool = False) -> dict:
    """Each call measured in a child process of its own (``levels.py --child KEY``)."""
    results: dict = {"runs": runs, "calls": {}}
    for key in calls:
        command = [sys.executable, str(Path(__file__)), "--child", key, "--database-url", database_url]
        command += ["--runs", str(runs)] + (["--profile"] if profile else [])
        done = subprocess.run(own_process(command), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"the measurement of {key!r} failed (exit {done.returncode})")
        child = json.loads(done.stdout.strip().splitlines()[-1])
        results["database"] = child.pop("database")
        results["calls"][key] = child
        print(f"  {child['label']}: median {child['median_s']} s, {child['queries']} queries", flush=True)
    return results


def table(results: dict) -> str:
    db = results["database"]
    lines = [f"current levels · {db['vendor']} {db['version']} · median / max of {results['runs']} after a warm-up"]
    if "generate" in results:
        org = results["org"]
        lines.append(
            f"organisation generated in {results['generate']['seconds']} s ({org['written_with']}): "
            f"{org['people']:,} people, {org['skills']:,} skills, {org['assessments']:,} assessments, "
            f"{org['executions']:,} runbook executions + {org['sessions']:,} pairing sessions"
        )
    lines += ["", *rows(results)]
    for key, m in results["calls"].items():
        if "steps_s" not in m:
            continue
        facts = m["facts"]
        lines += [
            "",
            f"{key}, step by step: " + ", ".join(f"{k} {v:.2f} s" for k, v in m["steps_s"].items()),
            f"  {facts['assessments']:,} assessments in {facts['assessment_pairs']:,} pairs, "
            f"{facts['evidence_facts']:,} evidence facts in {facts['evidence_pairs']:,} pairs "
            f"({facts['pairs_with_both']:,} pairs have both); the SQL took {m['query_s']} s of the warm-up",
            f"  levels {m['by_level']}, from {m['by_basis']}, {m['covers']:,} covers",
        ]
    everyone = results["calls"].get("everyone")
    if everyone:
        lines.append(f"\na child process starts at about {everyone['max_rss_mb_before']} MB RSS")
        lines.append("SQL of the warm-up call, everyone:")
        lines += [f"  {q}" for q in everyone["query_list"]]
    for m in results["calls"].values():
        if "profile" in m:
            lines.append(f"\nprofile of {m['label']}, by own time, {m['profile']['file']}:\n{m['profile']['tottime']}")
    return "\n".join(lines)


def rows(results: dict) -> list[str]:
    """The table's header and one line per call (bench/run.py prints these too)."""
    lines = [f"{'call':<68} {'time':>17} {'queries':>8} {'peak traced':>12} {'max RSS':>9} {'levels':>8}"]
    for m in results["calls"].values():
        lines.append(
            f"{m['label']:<68} {m['median_s']:>7.2f} / {m['max_s']:>5.2f} s {m['queries']:>8} "
            f"{m['peak_traced_mb']:>9} MB {m['max_rss_mb']:>6} MB {m['pairs']:>8,}"
        )
    return lines


def main(args) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    configure(args.database_url)
    results: dict = {}
    if args.reuse and has_organisation():
        print("reusing the organisation already in the database", flush=True)
    else:
        print(fresh_database(args.database_url), flush=True)
        from django.core.management import call_command
        from django.db import connection

        from bench import generate

        call_command("migrate", verbosity=0, interactive=False)
        size = generate.OrgSize(evidence=args.evidence, copy=not args.no_copy)
        print(f"generating the organisation with {size.evidence:,} evidence records", flush=True)
        start = time.perf_counter()
        summary = generate.generate_org(size)
        results["generate"] = {"seconds": round(time.perf_counter() - start, 2), "max_rss_mb": round(max_rss_mb(), 1)}
        results["org"] = summary.as_dict()
        connection.close()
    calls = CALLS + FILTERED_CALLS if args.filtered else CALLS
    print(f"measuring {len(calls)} calls, each in a child process ({args.runs} runs after a warm-up)", flush=True)
    results |= measure(args.database_url, runs=args.runs, calls=calls, profile=args.profile)
    return results


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help=f"default: $DATABASE_URL, else a fresh SQLite file, {DEFAULT_SQLITE.relative_to(ROOT)}",
    )
    parser.add_argument("--reuse", action="store_true", help="keep the organisation if the database has one")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed calls after a warm-up (default {RUNS})")
    parser.add_argument("--evidence", type=int, default=200_000, help="evidence records to generate (default 200,000)")
    parser.add_argument("--no-copy", action="store_true", help="generate with bulk_create on PostgreSQL too")
    parser.add_argument(
        "--filtered",
        action="store_true",
        help="also the whole organisation through the skill filter (minutes a call on SQLite)",
    )
    parser.add_argument("--profile", action="store_true", help="profile one more call of each with cProfile")
    parser.add_argument("--output", default=str(OUT / "levels.json"), help="default: bench/out/levels.json")
    parser.add_argument("--child", choices=CALLS + FILTERED_CALLS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.database_url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    return args


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child:
        configure(arguments.database_url)
        vendor = database_info()["vendor"]
        prof = OUT / f"levels-{arguments.child.replace(' ', '-')}-{vendor}.prof" if arguments.profile else None
        outcome = measure_call(arguments.child, arguments.runs, profile=prof)
        print(json.dumps(outcome | {"database": database_info()}))
    else:
        output = write_results(main(arguments), Path(arguments.output), table)
        print(f"\nresults written to {output}")
