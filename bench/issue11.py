#!/usr/bin/env python
"""The aims of issue 11 on bench/generate.py's large organisation (2,000 people, 5,000 skills,
200,000 assessments, 200,000 evidence records). Measured, not asserted: each figure is printed
next to its aim and to the "now" of the issue.

- pages through the test client (``force_login``, production settings, as ``bench/run.py``), each
  in a child process of its own: the home page of a lead of the focus team (60 people); the
  matrix of that team (60 × 400); the what-if of the team's key person, for the whole
  organisation (what the page shows a lead by default) and for the team; the evidence list as
  the person with most evidence ("mine", "to confirm", and "all");
- writes, each inside a transaction that is rolled back: one lead assessment with its refresh
  (``levels.services.assessment_record``), confirming the focus team's biggest pending pairing
  session (``flows.evidence_confirm``);
- the import of the new 500 × 1,000 sheet (``bench/run.py``'s import measurement), written and
  committed for real into a throwaway copy of the database, made again for each run.

The organisation is generated once per database and reused: ``bench/out/issue11-bench.sqlite3``
by default, or the PostgreSQL database given (its name must contain ``bench``). ``--fresh``
generates it again. Usage::

    .venv/bin/python bench/issue11.py
    .venv/bin/python bench/issue11.py --database-url postgresql://postgres@127.0.0.1:5432/ops_skills_bench_issue11

Results go to ``bench/out/issue11.json`` and ``issue11-<vendor>.json``; see bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DEFAULT_SQLITE = OUT / "issue11-bench.sqlite3"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402

# The aims of issue 11, and its "now" (PostgreSQL, SQLite) where it gives one.
AIMS = {
    "home": ("home page, lead of the focus team", 0.15, "0.89 / 0.99 s"),
    "matrix": ("matrix, own team 60 × 400", 0.25, "0.72 / 0.73 s"),
    "what_if": ("what-if, key person, whole organisation", 0.25, "0.52 / 0.47 s"),
    "what_if_team": ("what-if, key person, as it opens (own team)", 0.25, ""),
    "evidence_mine": ("evidence list, mine", 0.1, "0.24 / 0.65 s"),
    "evidence_to_confirm": ("evidence list, to confirm", 0.1, ""),
    "evidence_all": ("evidence list, all (?show=all)", 0.1, ""),
    "assessment": ("one lead assessment with its refresh", 0.015, "80 ms"),
    # The aim here is a number of queries (≤ 15); the time is shown, not judged.
    "confirm_session": ("confirming a pairing session", float("inf"), "36 queries"),
    "import": ("import of the new 500 × 1,000 sheet", 6.0, "19.7 s"),
}
CONFIRM_QUERY_AIM = 15


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help=f"default: {DEFAULT_SQLITE.relative_to(ROOT)}, reused")
    parser.add_argument("--fresh", action="store_true", help="generate the organisation again even if it is there")
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page after a warm-up (default 7)")
    parser.add_argument("--write-runs", type=int, default=15, help="timed rolled-back writes (default 15)")
    parser.add_argument("--import-runs", type=int, default=3, help="imports, each into a new copy (default 3)")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument(
        "--only", nargs="+", choices=list(AIMS), metavar="KEY", help=f"measure only these: {', '.join(AIMS)}"
    )
    parser.add_argument("--profile", action="store_true", help="profile every page and write, not only those over aim")
    parser.add_argument("--output", default=str(OUT / "issue11.json"), help="default: bench/out/issue11.json")
    args = parser.parse_args(argv)
    args.database_url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    return args


def step(label: str) -> None:
    print(f"· {label}", flush=True)


# Who and what is measured ----------------------------------------------------------------------


def subjects() -> dict:
    """The people and records the measurements use, chosen the same way on every database."""
    from django.db.models import Count, Q

    from ops_skills.evidence.models import PairingSession, RunbookExecution
    from ops_skills.levels.models import CurrentLevel
    from ops_skills.people.models import Person, Team
    from ops_skills.skills.models import Assessment, Skill

    focus = Team.objects.get(slug="focus")
    lead = Person.objects.filter(team=focus, role=Person.Role.LEAD, departed_on__isnull=True).order_by("email").first()
    members = Person.objects.filter(team=focus, role=Person.Role.MEMBER, departed_on__isnull=True)
    # The assessment: a member's cell with a history (the refresh reads every assessment of it).
    cell = (
        Assessment.objects.filter(person__in=members, skill__system__team=focus)
        .values("person_id", "skill_id")
        .annotate(n=Count("id"))
        .order_by("-n", "person_id", "skill_id")
        .first()
    )
    # The key person: the member of the team who covers most of its skills.
    key = (
        CurrentLevel.objects.filter(person__team=focus, skill__system__team=focus, level__gte=3)
        .values("person_id")
        .annotate(n=Count("id"))
        .order_by("-n", "person_id")
        .first()
    )
    # The pairing session: the focus team's pending one with most learners, then skills, that
    # its lead may decide (a lead of someone who took part, who did not log it).
    session = (
        PairingSession.objects.filter(status=PairingSession.Status.PENDING, mentor__team=focus)
        .exclude(logged_by=lead)
        .exclude(mentor=lead)
        .exclude(learners=lead)
        .annotate(n_learners=Count("learners", distinct=True), n_skills=Count("skills", distinct=True))
        .order_by("-n_learners", "-n_skills", "pk")
        .first()
    )
    # The person with most evidence: performed, took part in, mentored or learned (four small
    # group-bys: one query joining the four would multiply them).
    records: Counter[int] = Counter()
    for rows in (
        RunbookExecution.objects.values_list("performer_id").annotate(n=Count("id")),
        RunbookExecution.participants.through.objects.values_list("person_id").annotate(n=Count("id")),
        PairingSession.objects.values_list("mentor_id").annotate(n=Count("id")),
        PairingSession.learners.through.objects.values_list("person_id").annotate(n=Count("id")),
    ):
        for person_id, n in rows.order_by():
            records[person_id] += n
    busiest_id = min(records, key=lambda pk: (-records[pk], pk))
    busiest = {"email": Person.objects.get(pk=busiest_id).email, "n": records[busiest_id]}
    return {
        "lead": lead.email,
        "lead_id": lead.pk,
        "assessment": {"person": cell["person_id"], "skill": cell["skill_id"], "assessments_of_the_cell": cell["n"]},
        "key_person": {"id": key["person_id"], "covers_in_team": key["n"]},
        "session": {"id": session.pk, "learners": session.n_learners, "skills": session.n_skills},
        "evidence_person": busiest["email"],
        "evidence_person_records": busiest["n"],
        "focus_people": Person.objects.active().filter(team=focus).count(),
        "focus_skills": Skill.objects.filter(system__team=focus).count(),
        "executions": RunbookExecution.objects.count(),
        "pending_for_evidence_person": PairingSession.objects.filter(
            Q(mentor__email=busiest["email"]) | Q(learners__email=busiest["email"]), status="pending"
        ).count(),
    }


# Pages -----------------------------------------------------------------------------------------


def pages(args, who: dict) -> dict:
    from django.urls import reverse

    vendor = run.database_info()["vendor"]
    what_if = reverse("reports:what-if")
    key = who["key_person"]["id"]
    wanted = [
        ("home", who["lead"], reverse("people:home")),
        ("matrix", who["lead"], "/matrix/?team=focus"),
        # The page opens on the lead's own team; "team=" asks for the whole organisation.
        ("what_if", who["lead"], f"{what_if}?team=&people={key}"),
        ("what_if_team", who["lead"], f"{what_if}?people={key}"),
        ("evidence_mine", who["evidence_person"], reverse("evidence:list")),
        ("evidence_to_confirm", who["evidence_person"], reverse("evidence:list") + "?show=to-confirm"),
        ("evidence_all", who["evidence_person"], reverse("evidence:list") + "?show=all"),
    ]
    results = {}
    for key_name, user, path in wanted:
        if args.only and key_name not in args.only:
            continue
        label, aim, _ = AIMS[key_name]
        step(f"{label}: GET {path} as {user}")
        results[key_name] = run.run_child(
            args, "matrix", path=path, user=user, name=f"issue11-{key_name}-{vendor}", slow_page=aim
        )
    return results


# Writes, rolled back ---------------------------------------------------------------------------


HARNESS = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def flow_queries(queries) -> list[dict]:
    """The queries of the write itself: not the transaction statements of the harness (a
    request's outermost transaction has no savepoint, and this one is rolled back), nor the read
    of the evidence instance that a request makes before calling the flow."""
    found = [q for q in queries.captured_queries if not q["sql"].startswith(HARNESS)]
    if found and '"evidence_pairingsession"."notes"' in found[0]["sql"]:
        found = found[1:]
    return found


def writes(args, who: dict) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from ops_skills import flows
    from ops_skills.evidence.models import PairingSession
    from ops_skills.levels.services import assessment_record
    from ops_skills.people.models import Person
    from ops_skills.skills.models import Skill

    lead = Person.objects.get(pk=who["lead_id"])
    person = Person.objects.get(pk=who["assessment"]["person"])
    skill = Skill.objects.get(pk=who["assessment"]["skill"])

    def assessment():
        return assessment_record(author=lead, person=person, skill=skill, level=4, note="bench")

    def confirm():
        # A fresh instance each time, as a request would load it (that read is the request's,
        # not the flow's, and is not counted).
        session = PairingSession.objects.get(pk=who["session"]["id"])
        return flows.evidence_confirm(evidence=session, person=lead)

    vendor = connection.vendor
    results = {}
    for key_name, call in (("assessment", assessment), ("confirm_session", confirm)):
        if args.only and key_name not in args.only:
            continue
        label, aim, _ = AIMS[key_name]
        step(f"{label}, rolled back ({args.write_runs} runs after a warm-up)")

        def rolled_back(call=call):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                with transaction.atomic():
                    call()
                    transaction.set_rollback(True)
                elapsed = time.perf_counter() - start
            return elapsed, queries

        rolled_back()  # warm-up
        times, counts = [], []
        for _ in range(args.write_runs):
            elapsed, queries = rolled_back()
            times.append(elapsed)
            counts.append(len(flow_queries(queries)))
        result = {
            "runs": args.write_runs,
            "median_s": round(statistics.median(times), 4),
            "max_s": round(max(times), 4),
            "min_s": round(min(times), 4),
            "queries": max(counts),
            "query_list": [f"{float(q['time']) * 1000:7.1f} ms  {q['sql'][:200]}" for q in queries.captured_queries],
        }
        if args.profile or result["median_s"] > aim:
            result["profile"] = run.profile(rolled_back, OUT / f"issue11-{key_name}-{vendor}.prof")
        results[key_name] = result
    return results


# The import, into a throwaway copy -------------------------------------------------------------


def copy_database(database_url: str) -> str:
    """A copy of the benchmark database, for an import that commits: a SQLite backup, or a
    PostgreSQL ``CREATE DATABASE … TEMPLATE`` (nobody may be connected to the original)."""
    from django.db import connections

    connections.close_all()
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        source = Path(unquote(url.path)[1:]).resolve()
        target = source.with_name(source.stem + "-import.sqlite3")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return f"sqlite:///{target}"
    import psycopg
    from psycopg import sql

    name = unquote(url.path.lstrip("/"))
    copy = f"{name}_import"
    admin_url = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(copy), sql.Identifier(name)))
    return url._replace(path=f"/{copy}").geturl()


def drop_copy(copy_url: str) -> None:
    url = urlsplit(copy_url)
    if url.scheme == "sqlite":
        target = Path(unquote(url.path)[1:])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(unquote(url.path.lstrip("/")))))


def measure_import(args) -> dict:
    from bench import generate

    sheet = generate.write_matrix_csv(OUT / "matrix-500x1000.csv", people=500, skills=1000)
    runs = []
    for n in range(1, args.import_runs + 1):
        copy_url = copy_database(args.database_url)
        step(f"import of the 500 × 1,000 sheet, run {n} of {args.import_runs}, into a copy")
        child_args = argparse.Namespace(**{**vars(args), "database_url": copy_url})
        try:
            runs.append(run.run_child(child_args, "import", csv=sheet.path))
        finally:
            drop_copy(copy_url)
        if not runs[-1]["written"]:
            raise SystemExit(f"the import was not written: {runs[-1]['errors']}")
    times = [r["seconds"] for r in runs]
    return runs[-1] | {
        "runs": len(runs),
        "median_s": round(statistics.median(times), 2),
        "max_s": round(max(times), 2),
        "times_s": times,
        "sheet": vars(sheet),
    }


# The run ---------------------------------------------------------------------------------------


def main(args) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    started = time.perf_counter()
    generated = run.generated_database(args.database_url, reuse=not args.fresh)
    step("the organisation was " + ("reused" if generated is None else f"generated in {generated} s"))
    from bench import generate

    # The sheet's teams and systems (an import never creates those) are part of the organisation
    # measured, so that every run, first or reused, measures the same pages.
    generate.prepare_matrix_csv_org(skills=1000, teams=5)
    results: dict = {"database": run.database_info(), "generate_s": generated, "runs": args.runs}
    results["subjects"] = who = subjects()
    step(f"subjects: {who}")
    results["pages"] = pages(args, who)
    results["writes"] = writes(args, who)
    if not args.skip_import and (not args.only or "import" in args.only):
        results["import"] = measure_import(args)
    results["total_s"] = round(time.perf_counter() - started, 1)
    return results


def table(results: dict) -> str:
    db = results["database"]
    lines = [
        f"issue 11 · {db['vendor']} {db['version']} · median / max; pages: {results['runs']} requests after a warm-up",
        "",
        f"{'measurement':<44} {'median / max':>19} {'queries':>8} {'aim':>9}  {'met':<4} now (PostgreSQL / SQLite)",
    ]
    measured = results["pages"] | results["writes"]
    if "import" in results:
        measured["import"] = results["import"]
    for key, (label, aim, now) in AIMS.items():
        if key not in measured:
            continue
        m = measured[key]
        median = m.get("median_s", m.get("seconds"))
        if aim == float("inf"):
            figure, aim_text = f"{median * 1000:.1f} / {m['max_s'] * 1000:.1f} ms", "—"
        elif aim < 0.1:
            figure, aim_text = f"{median * 1000:.1f} / {m['max_s'] * 1000:.1f} ms", f"{aim * 1000:.0f} ms"
        else:
            figure, aim_text = f"{median:.3f} / {m['max_s']:.3f} s", f"{aim:g} s"
        met = median <= aim
        if key == "confirm_session":
            met = met and m["queries"] <= CONFIRM_QUERY_AIM
            aim_text = f"≤{CONFIRM_QUERY_AIM} queries"
        lines.append(f"{label:<44} {figure:>19} {m['queries']:>8} {aim_text:>9}  {'yes' if met else 'NO':<4} {now}")
    who = results["subjects"]
    lines += [
        "",
        f"lead {who['lead']}; evidence list as {who['evidence_person']} ({who['evidence_person_records']} records); "
        f"key person {who['key_person']}; session {who['session']}; assessment cell {who['assessment']}",
    ]
    for key, m in measured.items():
        if "profile" in m:
            lines.append(
                f"\nprofile of {AIMS[key][0]} ({m['profile']['file']}), by own time:\n{m['profile']['tottime']}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    arguments = parse_args()
    outcome = main(arguments)
    output = run.write_results(outcome, Path(arguments.output), table)
    print(f"\nresults written to {output} ({outcome['total_s']} s in all)")
