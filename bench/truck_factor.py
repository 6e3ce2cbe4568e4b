#!/usr/bin/env python
"""Benchmark of the truck factor engine (ops_skills/reports/truck_factor.py) on plain data in
memory: no database, no Django. Measured, not asserted.

Two parts:

- ``exact``: one system with 20 coverers (``EXACT_LIMIT``, the most the exact search gets) and
  60 skills, for ``--seeds`` random seeds, in two shapes. *Skewed* is what teams look like: a few
  generalists hold many skills, each skill has 1–5 holders (30/30/20/12/8%). *Uniform* is harder
  for the search: each skill has 2–4 holders drawn uniformly, so the truck factor is 13–15 and
  many sets come close. Each seed is timed as the median of ``--runs`` calls after a warm-up; the
  figures are the median and the worst of those over the seeds, with the greedy value alongside.
- ``greedy``: the 500 systems of a 2,000-person organisation shaped like bench/generate.py's
  (20 teams of 100, ten skills per system, about 12% of a team covering each of its skills, a
  few covers from other teams, 3% of people gone), which gives 60–90 coverers per system, far
  above the exact limit. Timed as all 500 truck factors in a row.

Times are wall-clock (``time.perf_counter``) without tracemalloc; the peak of traced memory comes
from one more, traced call. Usage::

    .venv/bin/python bench/truck_factor.py
    .venv/bin/python bench/truck_factor.py --seeds 50 --runs 5

Figures on this machine are in bench/README.md ("Truck factor engine").
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.planner import measure, sample  # noqa: E402  (median/max + traced peak + max RSS)
from ops_skills.reports.truck_factor import EXACT_LIMIT, _solve, truck_factor  # noqa: E402


def timed(call, runs: int) -> dict:
    """``measure`` in milliseconds and kB: one system takes a few ms and a few kB. Always cold:
    the kept results of ``truck_factor`` are dropped before each call."""
    times, peak, result = sample(call, runs, before=_solve.cache_clear)
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "peak_traced_kb": round(peak / 1024),
        "result": result,
    }


def email(person: int) -> str:
    return f"person{person:05d}@bench.example"


def skewed_system(seed: int, *, people: int = EXACT_LIMIT, skills: int = 60) -> dict[int, frozenset[int]]:
    """Skills held by 1–5 people each, drawn in proportion to a Pareto "breadth" per person."""
    rng = random.Random(seed)
    staff = list(range(1, people + 1))
    breadth = [rng.paretovariate(1.2) for _ in staff]
    holders = {}
    for skill in range(skills):
        count = rng.choices([1, 2, 3, 4, 5], [30, 30, 20, 12, 8])[0]
        chosen: set[int] = set()
        while len(chosen) < count:
            chosen.add(rng.choices(staff, breadth)[0])
        holders[skill] = frozenset(chosen)
    return _everyone_covers(rng, holders, staff)


def uniform_system(seed: int, *, people: int = EXACT_LIMIT, skills: int = 60) -> dict[int, frozenset[int]]:
    """Skills held by 2–4 people each, drawn uniformly."""
    rng = random.Random(seed)
    staff = list(range(1, people + 1))
    holders = {skill: frozenset(rng.sample(staff, rng.randint(2, 4))) for skill in range(skills)}
    return _everyone_covers(rng, holders, staff)


def _everyone_covers(rng, holders, staff):
    """So that the system has exactly ``len(staff)`` coverers."""
    for person in staff:
        if not any(person in h for h in holders.values()):
            skill = rng.randrange(len(holders))
            holders[skill] = holders[skill] | {person}
    return holders


def organisation(seed: int = 7, *, people: int = 2000, teams: int = 20, systems: int = 500, per_system: int = 10):
    """Each system's skills mapped to their holders, as the report's selector would give them."""
    rng = random.Random(seed)
    team_of = {p: p % teams for p in range(1, people + 1)}
    active = [p for p in team_of if rng.random() > 0.03]
    holders: dict[int, dict[int, set[int]]] = {
        s: {s * per_system + k: set() for k in range(per_system)} for s in range(systems)
    }
    for person in active:
        for s in range(team_of[person], systems, teams):  # the team's systems
            for covered_by in holders[s].values():
                if rng.random() < 0.12:
                    covered_by.add(person)
        for _ in range(15):  # assessed in a few skills of other teams, a third of them covered
            s = rng.randrange(systems)
            if rng.random() < 0.35:
                holders[s][s * per_system + rng.randrange(per_system)].add(person)
    return [{k: frozenset(h) for k, h in skills.items()} for skills in holders.values()], {p: email(p) for p in active}


def run_exact(args) -> dict:
    results = {}
    for shape, make in (("skewed", skewed_system), ("uniform", uniform_system)):
        rows = []
        for seed in range(args.seeds):
            holders = make(seed)
            keys = {p: email(p) for h in holders.values() for p in h}
            m = timed(lambda holders=holders, keys=keys: truck_factor(holders, sort_key=keys), args.runs)
            tf = m.pop("result")
            greedy = truck_factor(holders, sort_key=keys, exact_limit=0)
            assert tf.method == "exact" and tf.value <= greedy.value
            rows.append({"seed": seed, "coverers": len(keys), "value": tf.value, "greedy": greedy.value, **m})
        summary = {
            "systems": f"{len(rows)} × ({rows[0]['coverers']} coverers, 60 skills)",
            "median_ms": round(statistics.median(r["median_ms"] for r in rows), 1),
            "worst_ms": max(r["max_ms"] for r in rows),
            "peak_traced_kb": max(r["peak_traced_kb"] for r in rows),
            "truck_factors": f"{min(r['value'] for r in rows)}–{max(r['value'] for r in rows)}",
            "greedy_larger_on": sum(1 for r in rows if r["greedy"] > r["value"]),
        }
        results[shape] = {"summary": summary, "seeds": rows}
        print(f"exact, {shape}: {json.dumps(summary, ensure_ascii=False)}", flush=True)
        for r in rows:
            print(
                f"  seed {r['seed']:2}: truck factor {r['value']:2} (greedy {r['greedy']:2}), "
                f"median {r['median_ms']:5.1f} ms, max {r['max_ms']:5.1f} ms, peak {r['peak_traced_kb']} kB",
                flush=True,
            )
    return results


def run_greedy(args) -> dict:
    start = time.perf_counter()
    systems, keys = organisation()
    built = time.perf_counter() - start

    def all_systems():
        return [truck_factor(holders, sort_key=keys) for holders in systems]

    m = measure(all_systems, args.runs, before=_solve.cache_clear)
    factors = m.pop("result")
    coverers = sorted(len({p for h in holders.values() for p in h}) for holders in systems)
    m.update(
        build_s=round(built, 2),
        people=len(keys),
        systems=len(systems),
        coverers=f"{coverers[0]}–{coverers[-1]} (median {statistics.median(coverers)})",
        methods=dict(sorted({f.method: sum(1 for g in factors if g.method == f.method) for f in factors}.items())),
        values=f"{min(f.value for f in factors)}–{max(f.value for f in factors)}",
    )
    print(f"greedy, 500 systems: {json.dumps(m, ensure_ascii=False)}", flush=True)
    return m


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="systems per shape in the exact part")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    results = {"exact": run_exact(args), "greedy": run_greedy(args)}
    (OUT / "truck_factor.json").write_text(json.dumps(results, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
