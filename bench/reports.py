#!/usr/bin/env python
"""Benchmark of the bus-factor reports on bench/generate.py's large organisation (2,000 people,
500 systems, 5,000 skills, 200,000 assessments and 200,000 evidence records). Measured, not
asserted.

Measures, each as the median of ``--runs`` (default 3) after a warm-up, then one traced run:

- ``org_facts`` for everyone: the covers the reports read, and every stored level the planner reads;
- the full report computed from them (``summary.summarise``: skill lines, 500 truck factors and
  fresh truck factors, roll-ups, knowledge islands), cold (no kept truck factors) and warm;
- the report pages' server time through the test client, cold and warm: the whole organisation
  as an admin, the focus team as its lead, the what-if for the key person, the CSV export.

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
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.planner import measure  # noqa: E402  (median/max + traced peak + max RSS)


def run(args) -> dict:
    database_url = args.database_url or f"sqlite:///{OUT / 'reports-bench.sqlite3'}"
    from bench.run import generated_database

    reusable = OUT / "reports-bench.sqlite3" if args.reuse and not args.database_url else None
    results: dict = {"generate_s": generated_database(database_url, reuse_file=reusable)}
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ops_skills.people.models import Person, Team
    from ops_skills.reports import selectors
    from ops_skills.reports.summary import summarise
    from ops_skills.reports.truck_factor import _solve

    def facts_call(levels):
        with CaptureQueriesContext(connection) as queries:
            facts = selectors.org_facts(levels=levels)
        return len(queries), len(facts.skills), len(facts.levels)

    for levels, name in (
        (False, "org_facts, everyone (covers: the reports)"),
        (True, "org_facts, everyone (all levels: the planner)"),
    ):
        m = measure(lambda levels=levels: facts_call(levels), args.runs)
        queries, skills, count = m.pop("result")
        m.update(queries=queries, skills=skills, levels=count)
        results[name] = m
        print(f"{name}: {json.dumps(m)}", flush=True)

    # Cold: the kept truck factors (``truck_factor._solve``) dropped before each call, as after a
    # restart or a change to every system; warm: kept from the call before, as for a report asked
    # for again with nothing changed.
    facts = selectors.org_facts(levels=False)
    for temperature, before in (("cold", _solve.cache_clear), ("warm", None)):
        m = measure(lambda: summarise(facts), args.runs, before=before)
        summary = m.pop("result")
        m.update(
            systems=len(summary.systems),
            single_points=summary.single_points,
            islands=len(summary.islands),
            methods=sorted({s.truck.method for s in summary.systems}),
        )
        results[f"summarise (truck factors, islands), {temperature}"] = m
        print(f"summarise, {temperature}: {json.dumps(m)}", flush=True)

    m = measure(lambda: summarise(selectors.org_facts(levels=False)), args.runs, before=_solve.cache_clear)
    m.pop("result")
    results["full report: org_facts + summarise, cold"] = m
    print(f"full report, cold: {json.dumps(m)}", flush=True)

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client = Client()
    admin = Person.objects.get(email="admin@bench.example")
    focus = Team.objects.order_by("pk").first()
    lead = Person.objects.filter(team=focus, role="lead").order_by("pk").first()
    # The what-if's key person: the island with most sole holdings, else the first key person of
    # the riskiest system.
    key = summary.islands[0].person.id if summary.islands else summary.systems[0].truck.key_people[0]
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

        for temperature, before in (("cold", _solve.cache_clear), ("warm", None)):
            m = measure(page, args.runs, before=before)
            queries, size = m.pop("result")
            m.update(queries=queries, bytes=size)
            results[f"{name}, {temperature}"] = m
            print(f"{name}, {temperature}: {json.dumps(m)}", flush=True)
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
