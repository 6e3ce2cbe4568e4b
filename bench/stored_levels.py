#!/usr/bin/env python
"""Benchmark of keeping the stored current levels (``ops_skills.levels.store``) on the large
organisation. Measured, not asserted; every write is rolled back.

- ``recompute_all``, nothing to correct: the nightly safety net;
- ``recompute_all`` into an empty table: ``migrate`` on an existing database, or the generator;
- ``differences``: ``manage.py recompute_levels --check``;
- the writes users make, with the refresh they now carry: a lead assessment; confirming a
  runbook execution (its performer and participants × its runbook's skills) and a pairing session;
  adding a skill to the busiest runbook (everyone who ran it × that skill).

Usage::

    .venv/bin/python bench/stored_levels.py    # bench/out/reports-bench.sqlite3 (run bench/reports.py first)
    .venv/bin/python bench/stored_levels.py --database-url postgresql://postgres@127.0.0.1:5432/ops_skills_bench_reports
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.planner import measure  # noqa: E402


def run(args) -> dict:
    from bench.run import configure

    configure(args.database_url or f"sqlite:///{OUT / 'reports-bench.sqlite3'}")
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from ops_skills import flows
    from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
    from ops_skills.levels import store
    from ops_skills.levels.models import CurrentLevel
    from ops_skills.levels.services import assessment_record
    from ops_skills.people.models import Person
    from ops_skills.skills.models import Assessment, Skill

    def rolled_back(call):
        def wrapped():
            with CaptureQueriesContext(connection) as queries, transaction.atomic():
                result = call()
                transaction.set_rollback(True)
            return result, len(queries)

        return wrapped

    admin = Person.objects.get(email="admin@bench.example")
    execution = (
        RunbookExecution.objects.filter(status="pending").annotate(n=Count("participants")).order_by("-n").first()
    )
    session = PairingSession.objects.filter(status="pending").annotate(n=Count("learners")).order_by("-n").first()
    runbook = Runbook.objects.annotate(n=Count("executions")).order_by("-n").first()
    new_skill = Skill.objects.filter(system=runbook.system).exclude(runbooks=runbook).first()
    assessment = Assessment.objects.filter(source="lead").select_related("person", "skill").order_by("pk").first()

    def empty_and_recompute():
        CurrentLevel.objects.all().delete()
        return store.recompute_all()

    calls = {
        "recompute_all, nothing to correct": store.recompute_all,
        "recompute_all into an empty table": empty_and_recompute,
        "differences (recompute_levels --check)": lambda: len(store.differences()),
        "a lead assessment": lambda: (
            assessment_record(author=admin, person=assessment.person, skill=assessment.skill, level=4).pk
        ),
        f"confirm an execution ({execution.n} participants, {execution.runbook.skills.count()} skills)": lambda: (
            # a fresh instance each time: a rolled-back confirmation leaves the instance confirmed
            flows.evidence_confirm(evidence=RunbookExecution.objects.get(pk=execution.pk), person=admin).pk
        ),
        f"confirm a pairing session ({session.n} learners, {session.skills.count()} skills)": lambda: (
            flows.evidence_confirm(evidence=PairingSession.objects.get(pk=session.pk), person=admin).pk
        ),
        f"add a skill to the busiest runbook ({runbook.n} executions)": lambda: (
            flows.runbook_save(runbook=runbook, author=admin, skills=[*runbook.skills.all(), new_skill])[0].pk
        ),
    }
    results = {"database": connection.vendor, "stored levels": CurrentLevel.objects.count()}
    for name, call in calls.items():
        m = measure(rolled_back(call), args.runs)
        result, queries = m.pop("result")
        m.update(queries=queries, result=str(result))
        results[name] = m
        print(f"{name}: {json.dumps(m)}", flush=True)
    return results


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: bench/out/reports-bench.sqlite3")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    results = run(args)
    name = f"stored-levels-{results['database']}.json"
    (OUT / name).write_text(json.dumps(results, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
