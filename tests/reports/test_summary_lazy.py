"""The report engine works out a system's figures and truck factor when it ranks it, and its skill
lines, fresh truck factor, key people and the knowledge islands only when they are read (a
page shows them for 50 systems of 600). On any organisation, what it works out late is what
working it all out at once gives: counts from the skill lines, holders by email, the fresh
truck factor over fresh holders, islands, and a what-if's "after" equal to the report without
them down to each skill line."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ops_skills.reports.coverage import OrgFacts, PersonFacts, SkillFacts, SystemFacts
from ops_skills.reports.summary import ISLAND_MIN, summarise, what_if
from ops_skills.reports.templatetags.report_tags import names
from ops_skills.reports.truck_factor import truck_factor
from tests.reports.test_summary import PEOPLE, RANKED, A, B, orgs


def _eager(row, org):
    """The row's figures and lines as the engine made them before: from its skill lines."""
    emails = {pk: p.email for pk, p in org.people.items()}
    lines = [(s.skill.id, [p.email for p in s.holders], set(s.fresh_ids), s.target, s.deficit) for s in row.skills]
    expected_lines = [
        (
            s.id,
            sorted(emails[p] for p in s.holders if p in emails),
            set(s.fresh_holders),
            3 if row.system.tier == 1 else 2,
            max(0, (3 if row.system.tier == 1 else 2) - len(s.holders)),
        )
        for s in row.skill_facts
    ]
    assert lines == expected_lines
    assert row.skill_count == len(row.skills)
    assert row.uncovered == sum(1 for s in row.skills if s.uncovered)
    assert row.single_points == sum(1 for s in row.skills if s.single_point)
    assert row.stale_only == sum(1 for s in row.skills if s.stale_only)
    assert row.fresh_covered == sum(1 for s in row.skills if s.fresh_ids)
    assert row.deficit == sum(s.deficit for s in row.skills)
    truck = truck_factor({s.id: s.holders for s in row.skill_facts}, sort_key=emails)
    assert row.truck == truck and row.truck.key_people == truck.key_people  # kept figures are right
    fresh = truck_factor({s.id: s.fresh_holders for s in row.skill_facts}, sort_key=emails)
    assert row.fresh_truck == fresh and row.fresh_truck.key_people == fresh.key_people
    assert row.key_people == tuple(step.person for step in row.steps)


def _islands(summary):
    sole = {}
    for row in summary.systems:
        for s in row.skills:
            if s.bus_factor == 1:
                sole.setdefault(s.holders[0].email, []).append(s.skill.id)
    return sorted(((-len(v), k, v) for k, v in sole.items() if len(v) >= ISLAND_MIN))


@settings(max_examples=150, deadline=None)
@given(org=orgs(), gone=st.frozensets(st.integers(1, 6), max_size=3), tier=st.sampled_from([None, 1, 2, 3]))
def test_what_is_worked_out_late_is_what_working_it_out_at_once_gives(org, gone, tier):
    alone = summarise(org, tier=tier, without=gone)
    w = what_if(org, gone, tier=tier)
    after = org.without(gone)
    for summary, facts in ((alone, after), (w.after, after), (w.before, org)):
        for row in summary.systems:
            _eager(row, facts)
        assert [(-len(i.sole), i.person.email, [s.skill.id for s in i.sole]) for i in summary.islands] == _islands(
            summary
        )
    for mine, theirs in zip(w.after.systems, alone.systems, strict=True):
        assert mine.skills == theirs.skills and mine.fresh_truck == theirs.fresh_truck


@settings(max_examples=200, deadline=None)
@given(
    holders=st.dictionaries(st.integers(1, 12), st.frozensets(st.integers(1, 9), max_size=6), max_size=12),
    emails=st.lists(st.sampled_from(["a@x", "b@x", "c@x", "d@x"]), min_size=9, max_size=9),
)
def test_truck_factor_sorted_by_rank_is_sorted_by_email_then_id(holders, emails):
    sort_key = {pk: emails[pk - 1] for pk in range(1, 10)}  # shared emails: ties broken by id
    rank = {pk: i for i, pk in enumerate(sorted(sort_key, key=lambda pk: (sort_key[pk], pk)))}
    by_rank = truck_factor(holders, sort_key=sort_key, rank=rank, exact_limit=5)
    by_key = truck_factor(holders, sort_key=sort_key, exact_limit=5)
    assert by_rank == by_key and by_rank.removals == by_key.removals


def test_kept_figures_follow_the_people_s_emails():
    # One skill held by A and B: either leaving alone uncovers nothing, both together do; the
    # first in email order is named first, and an email changed changes who that is.
    org = _facts_with_emails({A: "a@x.com", B: "b@x.com"})
    again = _facts_with_emails({A: "z@x.com", B: "b@x.com"})
    first = summarise(org).systems[0]
    second = summarise(again).systems[0]
    assert [p.email for p in first.key_people] == ["a@x.com", "b@x.com"]
    assert [p.email for p in second.key_people] == ["b@x.com", "z@x.com"]
    assert summarise(org).systems[0].key_people == first.key_people


def _facts_with_emails(emails):
    people = {pk: PersonFacts(pk, email, "", 1) for pk, email in emails.items()}
    skill = SkillFacts(10, 1, "K", "k", frozenset(emails), frozenset())
    return OrgFacts(people=people, systems={1: SystemFacts(1, "Svc", "svc", 1, 2)}, skills=(skill,))


def test_key_people_are_named_in_one_string():
    row = next(r for r in summarise(RANKED).systems if r.key_people)
    assert names(row.key_people) == ", ".join(p.name or p.email for p in row.key_people)
    nameless = PersonFacts(1, "a@x.com", "", 1)
    assert names([nameless, PEOPLE[2]]) == "a@x.com, B"
    assert names([]) == ""
