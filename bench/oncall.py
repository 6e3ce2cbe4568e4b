#!/usr/bin/env python
"""Benchmark of on-call readiness: 20 schedules (one per team of bench/generate.py's large
organisation, each answering for all its team's systems) × 12 weekly shifts, rotating through
the team's active people, with each team's tier-1 skills critical by default. Measured, not
asserted: the readiness of every team's shifts (``selectors.upcoming``, the rules included) and
of the focus team's, their queries, the rota page as the focus team's lead, and reading one
12-week iCalendar feed (RRULE and an override, ``feeds.ical_shifts``).

    .venv/bin/python bench/oncall.py            # generates bench/out/oncall-bench.sqlite3 (minutes)
    .venv/bin/python bench/oncall.py --reuse    # reuses it
    .venv/bin/python bench/oncall.py --database-url postgresql://postgres@127.0.0.1:5432/ops_skills_oncall_bench

Figures on this machine (2 CPUs shared with other jobs, SQLite, median of 5; the generated
organisation: 2,000 people, 5,000 skills, 200,000 evidence; 240 shifts, 12,933 gaps, every shift
at risk since nobody covers a whole team's tier-1 skills alone):

| measurement | time | queries |
| --- | --- | --- |
| readiness of all 20 teams, 12 weeks (240 shifts) | 0.40 s | 6 |
| readiness of the focus team, 4 weeks (4 shifts, 336 gaps) | 0.03 s | 6 |
| rota page, focus team's lead, 4 weeks (279 kB) | 0.20 s | 12 |
| rota page, focus team's lead, 12 weeks (778 kB) | 0.49 s | 12 |
| one iCalendar feed read for 12 weeks (weekly RRULE, an override) | 0.01 s | |

Reading the feed with recurring-ical-events' ``after()`` took 4.5 s (it is read a week at a time
with ``between()``); the covers query with its skills and active people as subqueries took 1.9 s
on SQLite (now a list and a join: 0.1 s).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WEEKS = 12


def make_rota() -> dict:
    """Replace every schedule by one per team with 12 weekly shifts from next Monday."""
    from django.db import transaction
    from django.utils import timezone

    from ops_skills.oncall.models import Schedule, Shift
    from ops_skills.people.models import Person, Team
    from ops_skills.skills.models import System

    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    start = timezone.make_aware(timezone.datetime.combine(monday, timezone.datetime.min.time())) + timedelta(hours=9)
    with transaction.atomic():
        Schedule.objects.all().delete()
        shifts = []
        for team in Team.objects.order_by("pk"):
            schedule = Schedule.objects.create(team=team, name="Primary", url="https://rota.example.com/p.ics")
            schedule.systems.set(System.objects.filter(team=team))
            people = list(Person.objects.active().filter(team=team).order_by("email").values_list("pk", "email"))
            for week in range(WEEKS):
                pk, email = people[week % len(people)]
                begins = start + timedelta(weeks=week)
                shifts.append(
                    Shift(schedule=schedule, person_id=pk, email=email, start=begins, end=begins + timedelta(weeks=1))
                )
        Shift.objects.bulk_create(shifts)
    return {"schedules": Schedule.objects.count(), "shifts": len(shifts)}


def feed_body() -> bytes:
    events = [
        "BEGIN:VEVENT\r\nUID:w@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260105T090000\r\n"
        "DTEND;TZID=Europe/Berlin:20260112T090000\r\nRRULE:FREQ=WEEKLY\r\nATTENDEE:mailto:a@example.com\r\nEND:VEVENT",
        "BEGIN:VEVENT\r\nUID:w@x\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270111T090000\r\n"
        "DTSTART;TZID=Europe/Berlin:20270111T090000\r\nDTEND;TZID=Europe/Berlin:20270118T090000\r\n"
        "ATTENDEE:mailto:b@example.com\r\nEND:VEVENT",
    ]
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:bench\r\n" + "\r\n".join(events) + "\r\nEND:VCALENDAR\r\n"
    ).encode()


def run(args) -> dict:
    import os

    from bench.planner import measure
    from bench.run import generated_database

    database_url = args.database_url or f"sqlite:///{OUT / 'oncall-bench.sqlite3'}"
    generated_database(database_url, reuse_file=OUT / "oncall-bench.sqlite3" if args.reuse else None, reuse=args.reuse)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from ops_skills.oncall import feeds, selectors
    from ops_skills.people.models import Person, Team

    call_command("migrate", verbosity=0, interactive=False)  # a reused database made before the on-call app
    results = {"database": connection.vendor, "rota": make_rota()}
    print(f"rota: {results['rota']}", flush=True)
    focus = Team.objects.order_by("pk").first()
    for name, teams, weeks in (("all teams, 12 weeks", None, WEEKS), (f"{focus.slug}, 4 weeks", [focus], 4)):

        def call(teams=teams, weeks=weeks):
            with CaptureQueriesContext(connection) as queries:
                rows = selectors.upcoming(teams=teams, weeks=weeks)
            return rows, len(queries)

        m = measure(call, args.runs)
        rows, queries = m.pop("result")
        statuses = {s: sum(1 for r in rows if r.status == s) for s in ("ready", "backup", "at_risk")}
        m.update(queries=queries, shifts=len(rows), gaps=sum(len(r.gaps) for r in rows), **statuses)
        results[f"readiness, {name}"] = m
        print(f"readiness, {name}: {json.dumps(m)}", flush=True)

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    lead = Person.objects.filter(team=focus, role="lead").order_by("pk").first()
    client = Client()
    client.force_login(lead)

    for weeks in (4, WEEKS):

        def page(weeks=weeks):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/oncall/{focus.slug}/?weeks={weeks}", HTTP_HOST="localhost", secure=True)
            assert response.status_code == 200, response.status_code
            return len(queries), len(response.content)

        m = measure(page, args.runs)
        m["queries"], m["bytes"] = m.pop("result")
        results[f"rota page, {focus.slug}, {weeks} weeks"] = m
        print(f"rota page, {weeks} weeks: {json.dumps(m)}", flush=True)

    body = feed_body()
    now = timezone.now()
    m = measure(
        lambda: len(
            feeds.ical_shifts(
                body, now, now + timedelta(weeks=WEEKS), tz=timezone.get_default_timezone(), max_shifts=5000
            )
        ),
        args.runs,
    )
    m["shifts"] = m.pop("result")
    results["one iCalendar feed, 12 weeks"] = m
    print(f"feed: {json.dumps(m)}", flush=True)
    (OUT / f"oncall-{connection.vendor}.json").write_text(json.dumps(results, indent=2))
    return results


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="another database (its name must contain 'bench')")
    parser.add_argument("--reuse", action="store_true", help="reuse the generated database")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    return run(args)


if __name__ == "__main__":
    main()
