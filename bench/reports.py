#!/usr/bin/env python
"""Benchmark of the bus-factor reports on bench/generate.py's large organisation (2,000 people,
500 systems, 5,000 skills, 200,000 assessments and 200,000 evidence records). Measured, not
asserted.

Measures, each as the median of ``--runs`` (default 3) after a warm-up, then one traced run:

- ``org_facts`` for everyone (the queries and the levels of every (person, skill) pair);
- the full report computed from them (``summary.summarise``: skill lines, 500 truck factors and
  fresh truck factors, roll-ups, knowledge islands);
- the report pages' server time through the test client: the whole organisation as an admin,
  the focus team as its lead, the what-if for the person with most sole holdings, the CSV export.

Usage::

    .venv/bin/python bench/reports.py                # fresh SQLite file bench/out/reports-bench.sqlite3
    .venv/bin/python bench/reports.py --reuse        # reuse that file if it is there (no regeneration)
    .venv/bin/python bench/reports.py --database-url postgresql://…/ops_skills_bench
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.planner import measure  # noqa: E402  (median/max + traced peak + max RSS)


def run(args) -> dict:
    database_url = args.database_url or f"sqlite:///{OUT / 'reports-bench.sqlite3'}"
    from bench.run import configure, fresh_database

    reuse = args.reuse and not args.database_url and (OUT / "reports-bench.sqlite3").exists()
    if not reuse:
        print(fresh_database(database_url), flush=True)
    configure(database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import generate

    results: dict = {}
    if not reuse:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        start = time.perf_counter()
        summary = generate.generate_org(generate.OrgSize())
        results["generate_s"] = round(time.perf_counter() - start, 1)
        print(f"generated in {results['generate_s']} s: {summary}", flush=True)

    from ops_skills.people.models import Person, Team
    from ops_skills.reports import selectors
    from ops_skills.reports.summary import summarise

    def facts_call():
        with CaptureQueriesContext(connection) as queries:
            facts = selectors.org_facts()
        return len(queries), len(facts.skills), len(facts.levels)

    m = measure(facts_call, args.runs)
    queries, skills, levels = m.pop("result")
    m.update(queries=queries, skills=skills, levels=levels)
    results["org_facts, everyone"] = m
    print(f"org_facts, everyone: {json.dumps(m)}", flush=True)

    facts = selectors.org_facts()
    m = measure(lambda: summarise(facts), args.runs)
    summary = m.pop("result")
    m.update(
        systems=len(summary.systems),
        single_points=summary.single_points,
        islands=len(summary.islands),
        methods=sorted({s.truck.method for s in summary.systems}),
    )
    results["summarise (truck factors, islands)"] = m
    print(f"summarise: {json.dumps(m)}", flush=True)

    m = measure(lambda: summarise(selectors.org_facts()), args.runs)
    m.pop("result")
    results["full report: org_facts + summarise"] = m
    print(f"full report: {json.dumps(m)}", flush=True)

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client = Client()
    admin = Person.objects.get(email="admin@bench.example")
    focus = Team.objects.order_by("pk").first()
    lead = Person.objects.filter(team=focus, role="lead").order_by("pk").first()
    key = summary.islands[0].person.id if summary.islands else admin.pk
    pages = [
        ("report page, everyone (admin)", admin, "/reports/"),
        (f"report page, team {focus.slug} (lead)", lead, f"/reports/?team={focus.slug}"),
        ("islands page, everyone (admin)", admin, "/reports/islands/"),
        ("what-if page, key person, everyone (admin)", admin, f"/reports/what-if/?people={key}"),
        ("CSV export, everyone (admin)", admin, "/reports/export.csv"),
    ]
    for name, who, url in pages:
        client.force_login(who)

        def page(url=url):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, HTTP_HOST="localhost", secure=True)
            assert response.status_code == 200, (url, response.status_code)
            return len(queries), len(response.content)

        m = measure(page, args.runs)
        queries, size = m.pop("result")
        m.update(queries=queries, bytes=size)
        results[name] = m
        print(f"{name}: {json.dumps(m)}", flush=True)
    return results


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="another database (its name must contain 'bench')")
    parser.add_argument("--reuse", action="store_true", help="reuse bench/out/reports-bench.sqlite3")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops_skills.settings")
    results = run(args)
    (OUT / "reports.json").write_text(json.dumps(results, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
