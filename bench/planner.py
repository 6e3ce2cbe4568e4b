#!/usr/bin/env python
"""Benchmark of the transfer planner: how long planning takes for a large organisation, and how
much memory it uses. Measured, not asserted.

Two parts:

- ``synthetic`` (default, no database, ~1 min): plain ``PlanInput`` data of the large
  organisation's size (2,000 people in 20 teams, 5,000 skills in 500 systems), with many more
  single points of knowledge than bench/generate.py makes, so that the flow network is big:
  the whole organisation, and one team's 400 skills.
- ``--db``: bench/generate.py's organisation in a fresh SQLite file (bench/out/planner-bench.sqlite3,
  or ``--database-url``), then the loading (``selectors.plan_data``) plus planning for the focus
  team and for everyone, and the plan page as the focus team's lead.

Times are wall-clock (``time.perf_counter``) without tracemalloc; the peak of traced memory comes
from a second, traced run. ``--compare`` also times the networkx planner that OR-Tools replaced
(``tests/planner/reference_plan.py``, needs the dev dependencies) on the same data, and says whether
its plan is as good on every preference (``same_optimum``, it must be) and the very same
(``same_plan``: not always, as the old planner left some ties to network simplex's pivots). Usage::

    .venv/bin/python bench/planner.py            # synthetic
    .venv/bin/python bench/planner.py --db       # synthetic, then the generated organisation
    .venv/bin/python bench/planner.py --quick    # smaller, to check the script works
    .venv/bin/python bench/planner.py --compare  # and the networkx planner on the same data

Figures on this machine (2 CPUs, Python 3.13, OR-Tools 9.15, SQLite; median of 5 with
``--compare``, so "networkx" is the old planner in the same run; other jobs sharing the machine,
load about 2):

| measurement | OR-Tools | networkx | peak traced | max RSS |
| --- | --- | --- | --- | --- |
| synthetic, one team (250 skills, 2,000 people, deficit 185 → 91, 87 proposals) | 0.10 s | 0.54 s | 4 MB | 73 MB |
| synthetic, everyone (5,000 skills, deficit 3,670 → 1,685, 1,845 proposals) | 1.62 s | 14.2 s | 40 MB | 171 MB |
| generated org, team-03 (250 skills, deficit 11 → 4, 7 proposals): planning only | 0.03 s | 0.28 s | 2 MB | |
| generated org, everyone (5,000 skills, deficit 116 → 24, 92 proposals): load + plan | 1.25 s | | 60 MB | 353 MB |
| the same, planning only (the rest is loading 335,000 stored levels) | 0.34 s | 1.41 s | 6 MB | |
| plan page as a lead, team-03 (7 proposals) | 0.29 s (11 queries) | | 6 MB | |

The synthetic "everyone" line is the worst case: a network of 60,224 arcs and 7,146 nodes. The
preferences are solved in four OR-Tools runs (about 0.45 s together), after building the network
(about 0.3 s, Python) and with node potentials between runs (about 0.2 s, Python); see
``ops_skills/planner/plan_solve.py``. networkx's network simplex (pure Python) took 12.6–15 s on
the same network. Without the hubs of ``plan_model.aggregated_network`` the same organisation at
1,500 skills took 50 s with networkx; with them, 4.4 s.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def max_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def sample(call, runs: int, *, before=None) -> tuple[list[float], int, object]:
    """The times in seconds of ``runs`` calls after one warm-up, then one traced call's peak of
    memory in bytes, and the last result. ``before``, when given, runs untimed before each call
    (e.g. emptying a cache, to time the cold call)."""
    before = before or (lambda: None)
    before()
    result = call()
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    before()
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return times, peak, result


def measure(call, runs: int, *, before=None) -> dict:
    """Median and max of ``runs`` timed calls after one warm-up, then one traced call's peak."""
    times, peak, result = sample(call, runs, before=before)
    return {
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "peak_traced_mb": round(peak / 2**20, 1),
        "max_rss_mb": max_rss_mb(),
        "result": result,
    }


def synthetic_org(*, people: int, teams: int, skills: int, seed: int = 5):
    """A large organisation as plain data. Per skill, the number of people who cover it is drawn
    from 0: 10%, 1: 35%, 2: 30%, 3+: 25% (so about two thirds of the skills have a deficit);
    everyone has levels in ~60 skills, mostly their team's; 2,000 wishes; 300 open assignments."""
    from ops_skills.planner.plan import OpenAssignment, PlanInput, PlanPerson, PlanSkill

    rng = random.Random(seed)
    staff = [
        PlanPerson(i, f"person{i:05d}@bench.example", f"Person {i}", i % teams, active=rng.random() > 0.03)
        for i in range(1, people + 1)
    ]
    by_team: dict[int, list[int]] = {}
    for p in staff:
        by_team.setdefault(p.team_id, []).append(p.id)
    plan_skills, levels = [], {}
    for k in range(skills):
        system = k // 10
        team = system % teams
        tier = rng.choices([1, 2, 3], [2, 5, 3])[0]
        covers = rng.choices([0, 1, 2, 3, 4], [10, 35, 30, 15, 10])[0]
        holders = frozenset(rng.sample(by_team[team], covers))
        for pk in holders:
            levels[pk, k] = rng.choice([3, 4])
        plan_skills.append(
            PlanSkill(k, system, f"system-{system:03d}", f"skill-{k % 10}", f"Skill {k}", tier, team, holders)
        )
    for p in staff:
        own = [s.id for s in plan_skills if s.team_id == p.team_id]
        for k in rng.sample(own, min(len(own), 50)) + rng.sample(range(skills), 10):
            levels.setdefault((p.id, k), rng.choice([1, 1, 2, 2, 2]))
    wants = frozenset((rng.randint(1, people), rng.randrange(skills)) for _ in range(2000))
    hand_on = frozenset(
        (pk, s.id) for s in plan_skills if len(s.holders) == 1 and rng.random() < 0.2 for pk in s.holders
    )
    covered = [s for s in plan_skills if s.holders]
    opens = tuple(
        OpenAssignment(s.id, min(s.holders), rng.choice([p.id for p in staff if p.id not in s.holders]))
        for s in rng.sample(covered, min(300, len(covered)))
    )
    return PlanInput(tuple(staff), tuple(plan_skills), levels, wants, hand_on, opens)


def reference_planner():
    """The networkx planner that OR-Tools replaced, as it was (tests/planner/reference_plan.py
    without its extra tie-breaks, which need big integers far too long for these sizes)."""
    from tests.planner import reference_plan

    return lambda data: reference_plan.plan_transfers(data, tie_breaks=False)


def preference_sums(data, plan) -> tuple:
    """The weighted deficit left, then the sum over the plan of each preference digit (wishes,
    levels, teams, loads, places by email): two optimal plans of the same data have the same."""
    from ops_skills.planner.plan_model import Settings, context

    ctx = context(data, Settings())
    skills = {s.id: s for s in data.skills}
    totals = [0] * 8
    for a in plan.assignments:
        skill = skills[a.skill_id]
        digits = ctx.learner_digits(a.learner_id, skill) + ctx.mentor_digits(a.mentor_id, skill)
        totals = [t + d for t, d in zip(totals, digits, strict=True)]
    return (plan.deficit_after, plan.weighted_after, *totals)


def run_synthetic(args) -> dict:
    from ops_skills.planner.plan import PlanInput, plan_transfers

    start = time.perf_counter()
    org = synthetic_org(people=args.people, teams=args.teams, skills=args.skills)
    built = time.perf_counter() - start
    team_skills = tuple(s for s in org.skills if s.team_id == 0)
    team_org = PlanInput(
        org.people, team_skills, org.levels, org.wants_to_learn, org.wants_to_hand_on, org.open_assignments
    )
    results = {"build_s": round(built, 2)}
    for name, data in (("one team", team_org), ("everyone", org)):
        m = measure(lambda data=data: plan_transfers(data), args.runs)
        plan = m.pop("result")
        m.update(
            skills=len(data.skills),
            people=len(data.people),
            assignments=len(plan.assignments),
            deficit=f"{plan.deficit_before} → {plan.deficit_after}",
            weighted=f"{plan.weighted_before} → {plan.weighted_after}",
        )
        results[name] = m
        print(f"synthetic, {name}: {json.dumps(m, ensure_ascii=False)}", flush=True)
        if args.compare:
            results[f"{name}, networkx"] = compare(data, plan, args.runs, f"synthetic, {name}")
    return results


def compare(data, plan, runs: int, label: str) -> dict:
    """The networkx planner on the same data: its time, and whether its plan is as good on every
    preference (``same_optimum``) and the very same (``same_plan``, not required: the old planner
    left some ties to the order of network simplex's pivots)."""
    m = measure(lambda: reference_planner()(data), runs)
    old = m.pop("result")
    m.update(
        same_optimum=preference_sums(data, plan) == preference_sums(data, old),
        same_plan=plan.assignments == old.assignments,
    )
    print(f"{label}, networkx: {json.dumps(m, ensure_ascii=False)}", flush=True)
    return m


def run_db(args) -> dict:
    import os

    database_url = args.database_url or f"sqlite:///{OUT / 'planner-bench.sqlite3'}"
    from bench.run import generated_database

    generated_database(
        database_url, reuse_file=OUT / "planner-bench.sqlite3" if args.reuse and not args.database_url else None
    )
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ops_skills.people.models import Person, Team
    from ops_skills.planner import plan as planning
    from ops_skills.planner import selectors

    focus = Team.objects.order_by("pk").first()
    results = {"database": connection.vendor}
    # The team with the most missing covers: the focus team has hardly any.
    everyone = selectors.plan_data(team=None)
    deficits = planning.plan_transfers(everyone.input).deficits
    by_team: dict[int, int] = {}
    for skill in everyone.input.skills:
        by_team[skill.team_id] = by_team.get(skill.team_id, 0) + deficits[skill.id]
    busiest = Team.objects.get(pk=max(sorted(by_team), key=by_team.__getitem__))
    for name, team in (("focus team", focus), (f"team {busiest.slug}", busiest), ("everyone", None)):

        def call(team=team):
            with CaptureQueriesContext(connection) as queries:
                data = selectors.plan_data(team=team)
                plan = planning.plan_transfers(data.input)
            return plan, len(queries)

        m = measure(call, args.runs)
        plan, queries = m.pop("result")
        m.update(queries=queries, skills=len(plan.deficits), assignments=len(plan.assignments))
        m.update(deficit=f"{plan.deficit_before} → {plan.deficit_after}")
        results[f"load + plan, {name}"] = m
        print(f"db, load + plan, {name}: {json.dumps(m, ensure_ascii=False)}", flush=True)
        data = selectors.plan_data(team=team)
        m = measure(lambda data=data: planning.plan_transfers(data.input), args.runs)
        plan = m.pop("result")
        results[f"plan only, {name}"] = m
        print(f"db, plan only, {name}: {json.dumps(m, ensure_ascii=False)}", flush=True)
        if args.compare:
            results[f"plan only, {name}, networkx"] = compare(data.input, plan, args.runs, f"db, plan only, {name}")

    lead = Person.objects.filter(team=focus, role="lead").order_by("pk").first()
    client = Client()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    admin = Person.objects.get(email="admin@bench.example")
    for who, team in ((lead, focus), (admin, busiest)):
        client.force_login(who)

        def page(team=team):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/plan/?team={team.slug}", HTTP_HOST="localhost", secure=True)
            assert response.status_code == 200, response.status_code
            return len(queries), len(response.content), response.content.count(b'class="plan-row"')

        m = measure(page, args.runs)
        queries, size, rows = m.pop("result")
        m.update(queries=queries, bytes=size, proposals=rows)
        results[f"plan page, {team.slug}"] = m
        print(f"db, plan page, {team.slug}: {json.dumps(m, ensure_ascii=False)}", flush=True)
    return results


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="store_true", help="also plan bench/generate.py's organisation (SQLite)")
    parser.add_argument("--database-url", help="with --db: another database (its name must contain 'bench')")
    parser.add_argument("--quick", action="store_true", help="200 people, 500 skills")
    parser.add_argument("--db-only", action="store_true", help="with --db: skip the synthetic part")
    parser.add_argument("--reuse", action="store_true", help="with --db: reuse bench/out/planner-bench.sqlite3")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--compare", action="store_true", help="also time the networkx planner it replaced on the same data"
    )
    args = parser.parse_args(argv)
    args.people, args.teams, args.skills = (200, 10, 500) if args.quick else (2000, 20, 5000)
    OUT.mkdir(parents=True, exist_ok=True)
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops_skills.settings")
    results = {} if args.db_only else {"synthetic": run_synthetic(args)}
    if args.db:
        results["db"] = run_db(args)
    (OUT / "planner.json").write_text(json.dumps(results, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
