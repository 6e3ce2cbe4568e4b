"""The report engine (``ops_skills.reports.summary``) on plain facts, without a database:
risk and ranking worked by hand, roll-ups, knowledge islands, the what-if, and DESIGN.md's JSON."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ops_skills.reports import summary as engine
from ops_skills.reports.coverage import OrgFacts, PersonFacts, SkillFacts, SystemFacts
from ops_skills.reports.summary import risk_score, summarise, summary_json, what_if

A, B, C, D = 1, 2, 3, 4
PEOPLE = {
    A: PersonFacts(A, "a@x.com", "A", 1),
    B: PersonFacts(B, "b@x.com", "B", 1),
    C: PersonFacts(C, "c@x.com", "C", 2),
    D: PersonFacts(D, "d@x.com", "D", 2),
}


def _org():
    people = {A: PEOPLE[A], B: PEOPLE[B]}
    systems = {1: SystemFacts(1, "Svc", "svc", 1, 1), 2: SystemFacts(2, "Empty", "empty", 1, 2)}
    skills = (
        SkillFacts(10, 1, "K", "k", frozenset({A, B}), frozenset({A})),
        SkillFacts(11, 1, "L", "l", frozenset({A}), frozenset()),
    )
    return OrgFacts(people=people, systems=systems, skills=skills, levels={(B, 11): 2})


def _facts(systems, skills, levels=None, people=PEOPLE):
    """``systems``: (id, name, team, tier); ``skills``: (id, system, holders, fresh holders)."""
    return OrgFacts(
        people=dict(people),
        systems={pk: SystemFacts(pk, name, name.lower(), team, tier) for pk, name, team, tier in systems},
        skills=tuple(
            SkillFacts(pk, system, f"S{pk}", f"s{pk}", frozenset(holders), frozenset(fresh))
            for pk, system, holders, fresh in skills
        ),
        levels=levels or {},
    )


# Risk and ranking, worked by hand ------------------------------------------------------------


def test_risk_score_worked_by_hand():
    # tier 1 (weight 3): 2 x 1 uncovered + 2 single points + (2 - 1) = 5 -> 15
    assert risk_score(1, skills=4, uncovered=1, single_points=2, truck_factor=1) == 15
    # tier 3 (weight 1), already lost (truck factor 0): 2 x 2 + 1 + 2 = 7
    assert risk_score(3, skills=3, uncovered=2, single_points=1, truck_factor=0) == 7
    # tier 2 (weight 2), a truck factor of 2 or more adds nothing: 2 x (0 + 1 + 0) = 2
    assert risk_score(2, skills=3, uncovered=0, single_points=1, truck_factor=3) == 2
    assert risk_score(1, skills=0, uncovered=0, single_points=0, truck_factor=None) == 0


RANKED = _facts(
    systems=[
        (1, "Alpha", 1, 1),
        (2, "Beta", 1, 3),
        (3, "Gamma", 2, 2),
        (4, "Delta", 2, 2),
        (5, "Empty", 1, 1),
        (6, "Aardvark", 2, 3),
        (7, "Charlie", 1, 2),
    ],
    skills=[
        (11, 1, {A}, {A}),  # Alpha: one single point; truck factor 2 (A, then B, lose both)
        (12, 1, {A, B}, {B}),
        (21, 2, set(), set()),  # Beta: two uncovered of three, already lost (truck factor 0)
        (22, 2, set(), set()),
        (23, 2, {B}, set()),
        (31, 3, {C}, {C}),  # Gamma: one skill, one holder: truck factor 1
        (41, 4, {A, B}, {A, B}),  # Delta: nobody alone; three people must go (truck factor 3)
        (42, 4, {B, C}, set()),
        (61, 6, {D}, set()),  # Aardvark: two single points held by D: truck factor 1
        (62, 6, {D}, set()),
        (71, 7, {B}, {B}),  # Charlie: as Gamma
    ],
)


def test_systems_ranked_by_risk_then_tier_then_name():
    rows = summarise(RANKED).systems
    table = [(r.system.name, r.system.tier, r.uncovered, r.single_points, r.truck.value, r.risk) for r in rows]
    assert table == [
        ("Beta", 3, 2, 1, 0, 1 * (2 * 2 + 1 + 2)),  # 7
        ("Charlie", 2, 0, 1, 1, 2 * (0 + 1 + 1)),  # 4, same risk and tier as Gamma: by name
        ("Gamma", 2, 0, 1, 1, 2 * (0 + 1 + 1)),  # 4
        ("Alpha", 1, 0, 1, 2, 3 * (0 + 1 + 0)),  # 3, same risk as Aardvark: tier 1 first
        ("Aardvark", 3, 0, 2, 1, 1 * (0 + 2 + 1)),  # 3
        ("Empty", 1, 0, 0, None, 0),  # no skills: nothing to lose
        ("Delta", 2, 0, 0, 3, 0),
    ]
    assert [p.email for p in rows[3].key_people] == ["a@x.com", "b@x.com"]


def test_fresh_truck_factor_counts_fresh_holders_only():
    rows = {r.system.name: r for r in summarise(RANKED).systems}
    # Alpha: B's cover of S12 is fresh, A's of S11 too; Aardvark: nobody practised, already lost.
    assert (rows["Alpha"].truck.value, rows["Alpha"].fresh_truck.value) == (2, 2)
    assert (rows["Delta"].truck.value, rows["Delta"].fresh_truck.value) == (3, 2)  # S42 has no fresh holder
    assert (rows["Aardvark"].truck.value, rows["Aardvark"].fresh_truck.value) == (1, 0)
    assert rows["Empty"].fresh_truck.value is None


def test_team_and_organisation_rollups():
    summary = summarise(RANKED)
    one, two = summary.team(1), summary.team(2)
    assert (one.systems, one.skills, one.uncovered, one.single_points) == (4, 6, 2, 3)
    assert (two.systems, two.skills, two.uncovered, two.single_points) == (3, 5, 0, 3)
    assert one.truck_factors == (0, 1, 2) and one.systems_at_risk == 2  # Beta, Charlie, Alpha; Empty has none
    assert (one.min_truck_factor, one.mean_truck_factor) == (0, 1.0)
    assert summary.org.skills == one.skills + two.skills == summary.skills == 11
    assert summary.deficit == one.deficit + two.deficit
    assert summary.team(99) == engine.EMPTY and summary.team(99).mean_truck_factor is None


def test_knowledge_islands_are_sole_holders_of_several_skills():
    summary = summarise(RANKED)
    # D alone holds S61 and S62; B alone holds S23 and S71; A and C hold one each (no island).
    assert [(i.person.email, [s.skill.slug for s in i.sole]) for i in summary.islands] == [
        ("b@x.com", ["s23", "s71"]),
        ("d@x.com", ["s61", "s62"]),
    ]


def test_tier_filter_keeps_only_that_tier():
    summary = summarise(RANKED, tier=3)
    assert [r.system.name for r in summary.systems] == ["Beta", "Aardvark"]
    assert summary.skills == 5 and [i.person.email for i in summary.islands] == ["d@x.com"]


# JSON ----------------------------------------------------------------------------------------


def test_report_json_schema():
    data = summary_json(summarise(_org()))
    assert set(data) == {"skills", "systems"}
    assert data["skills"][0] == {
        "system": "svc",
        "skill": "k",
        "bus_factor": 2,
        "fresh_bus_factor": 1,
        "holders": ["a@x.com", "b@x.com"],
    }
    empty = next(s for s in data["systems"] if s["system"] == "empty")
    assert empty["truck_factor"] is None and empty["truck_factor_method"] == "none"
    svc = next(s for s in data["systems"] if s["system"] == "svc")
    assert set(svc) == {
        "system",
        "tier",
        "skills",
        "uncovered",
        "single_points",
        "truck_factor",
        "truck_factor_method",
        "key_people",
    }


def test_json_orders_systems_as_ranked_and_skills_by_system_name():
    data = summary_json(summarise(RANKED))
    assert [s["system"] for s in data["systems"]] == [r.system.slug for r in summarise(RANKED).systems]
    assert [s["system"] for s in data["skills"]] == ["aardvark"] * 2 + ["alpha"] * 2 + ["beta"] * 3 + [
        "charlie",
        "delta",
        "delta",
        "gamma",
    ]


def test_json_names_the_people_removed_only_when_some_are():
    assert "what_if" not in summary_json(summarise(RANKED, without=[]))
    data = summary_json(summarise(RANKED, without=[D, B]))
    assert data["what_if"] == ["b@x.com", "d@x.com"]
    assert next(s for s in data["skills"] if s["skill"] == "s61")["holders"] == []


# What if they left -----------------------------------------------------------------------------


def test_what_if_nobody_changes_nothing():
    w = what_if(_org(), [])
    assert not w.newly_uncovered and not w.new_single_points and not w.drops and not w.transfers
    assert w.after.systems == w.before.systems


def test_what_if_departure_needs_transfer():
    w = what_if(_org(), [A])
    assert [s.skill.slug for s in w.newly_uncovered] == ["l"]
    assert [s.skill.slug for s in w.new_single_points] == ["k"]
    assert [t.skill.skill.slug for t in w.transfers] == ["l", "k"]  # nobody left first
    assert [p.email for p in w.transfers[0].from_people] == ["a@x.com"]
    assert [(p.email, level) for p, level in w.transfers[0].candidates] == [("b@x.com", 2)]
    assert w.transfers[1].learner is None  # B already covers k
    assert [(b.truck.value, a.truck.value) for b, a in w.drops] == [(2, 1)]


def test_what_if_candidates_by_level_then_email_at_most_three():
    people = {**PEOPLE, 5: PersonFacts(5, "e@x.com", "E", 1), 6: PersonFacts(6, "f@x.com", "F", 1)}
    org = _facts(
        systems=[(1, "Svc", 1, 1)],
        skills=[(10, 1, {A}, {A}), (11, 1, {A, B}, set())],
        levels={(B, 10): 1, (C, 10): 2, (D, 10): 1, (5, 10): 0, (6, 10): 2, (A, 10): 4, (C, 11): 3},
        people=people,
    )
    w = what_if(org, [A])
    by_skill = {t.skill.skill.slug: t for t in w.transfers}
    assert [(p.email, level) for p, level in by_skill["s10"].candidates] == [
        ("c@x.com", 2),
        ("f@x.com", 2),
        ("b@x.com", 1),
    ]
    assert (by_skill["s10"].learner.email, by_skill["s10"].learner_level) == ("c@x.com", 2)
    assert by_skill["s11"].candidates == ()  # nobody else has started on it (level 3 or more is no learner)


def test_what_if_candidate_search_reads_the_levels_once():
    class Levels(dict):
        reads = 0

        def items(self):
            Levels.reads += 1
            return super().items()

    org = _facts(
        systems=[(1, "Svc", 1, 1)],
        skills=[(pk, 1, {A}, set()) for pk in range(10, 30)],
        levels={(B, pk): 1 for pk in range(10, 30)},
    )
    w = what_if(org, [A])
    assert len(w.transfers) == 20
    levels = Levels(org.without([A]).levels)
    needed = [s for row in w.before.systems for s in row.skills]
    found = engine._candidates(OrgFacts(org.people, org.systems, org.skills, levels), needed)
    assert Levels.reads == 1 and len(found) == 20


def test_what_if_keeps_untouched_systems_and_tier():
    w = what_if(RANKED, [C], tier=2)
    assert [r.system.name for r in w.after.systems] == ["Gamma", "Charlie", "Delta"]
    assert [s.skill.slug for s in w.newly_uncovered] == ["s31"]
    assert [s.skill.slug for s in w.new_single_points] == ["s42"]
    charlie = next(r for r in w.after.systems if r.system.name == "Charlie")
    assert charlie is next(r for r in w.before.systems if r.system.name == "Charlie")  # not recomputed
    assert [p.email for p in w.gone] == ["c@x.com"] == [p.email for p in w.after.removed]


# Property: the what-if's "after" is the report without those people --------------------------

EMAILS = ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com", "f@x.com"]


@st.composite
def orgs(draw):
    people = {i + 1: PersonFacts(i + 1, e, e[0].upper(), 1 + i % 2) for i, e in enumerate(EMAILS)}
    n_systems = draw(st.integers(1, 5))
    systems = {
        s: SystemFacts(s, draw(st.sampled_from(["Api", "Batch", "Db"])), f"sys-{s}", 1 + s % 2, draw(st.integers(1, 3)))
        for s in range(1, n_systems + 1)
    }
    holders = st.frozensets(st.sampled_from(list(people)), max_size=4)
    skills = []
    for pk in range(draw(st.integers(0, 12))):
        h = draw(holders)
        fresh = draw(st.frozensets(st.sampled_from(sorted(h)), max_size=len(h))) if h else frozenset()
        skills.append(SkillFacts(100 + pk, draw(st.sampled_from(list(systems))), f"K{pk}", f"k{pk}", h, fresh))
    skills.sort(key=lambda s: (systems[s.system_id].name, s.name))
    levels = draw(
        st.dictionaries(
            st.tuples(st.sampled_from(list(people)), st.sampled_from([s.id for s in skills] or [0])), st.integers(0, 2)
        )
    )
    return OrgFacts(people=people, systems=systems, skills=tuple(skills), levels=levels)


@settings(max_examples=150, deadline=None)
@given(org=orgs(), gone=st.frozensets(st.integers(1, 6), max_size=3), tier=st.sampled_from([None, 1, 2, 3]))
def test_what_if_after_is_the_report_without_them(org, gone, tier):
    w = what_if(org, gone, tier=tier)
    alone = summarise(org, tier=tier, without=gone)
    assert w.after.systems == alone.systems and w.after.islands == alone.islands and w.after.org == alone.org
    assert summary_json(w.after) == summary_json(alone)
    keys = [(-r.risk, r.system.tier, r.system.name) for r in alone.systems]
    assert keys == sorted(keys)
    before = {s.skill.id: s.bus_factor for r in w.before.systems for s in r.skills}
    expected = {s.skill.id for r in alone.systems for s in r.skills if s.bus_factor < min(2, before[s.skill.id])}
    assert {t.skill.skill.id for t in w.transfers} == expected
