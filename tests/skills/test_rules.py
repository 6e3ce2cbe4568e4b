"""The level rules of DESIGN.md, without a database."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ops_skills.levels import rules
from ops_skills.levels.rules import AssessmentFact, EvidenceFact

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def day(n):
    return T0 + timedelta(days=n)


def lead(level, at, id=None):
    return AssessmentFact(id, level, "lead", day(at))


def own(level, at, id=None):
    return AssessmentFact(id, level, "self", day(at))


def ev(role, at, confirmed=True):
    return EvidenceFact(None, role, day(at), confirmed)


def test_nothing_known_is_level_zero():
    level = rules.current_level([])
    assert level.level == 0
    assert level.basis == "none"


def test_latest_lead_assessment_counts():
    assert rules.current_level([lead(2, 1), lead(4, 5), lead(3, 3)]).level == 4


def test_lead_can_lower_a_level():
    level = rules.current_level([lead(4, 1), lead(1, 9)])
    assert level.level == 1
    assert level.basis == "lead"


def test_self_claim_alone_never_makes_someone_independent():
    level = rules.current_level([own(4, 1)])
    assert level.level == 2
    assert level.self_assessed
    assert "at most 2" in level.explain()


def test_self_claim_below_the_cap_counts_as_it_is():
    assert rules.current_level([own(1, 1)]).level == 1


def test_self_assessment_does_not_lower_a_lead_assessment():
    level = rules.current_level([lead(3, 1), own(1, 5)])
    assert (level.level, level.basis) == (3, "lead")


def test_self_claim_above_lead_level_still_counts_up_to_two():
    level = rules.current_level([lead(1, 1), own(3, 5)])
    assert (level.level, level.basis) == (2, "self")


def test_lead_is_named_when_it_ties_with_self():
    level = rules.current_level([lead(2, 1), own(2, 5)])
    assert level.basis == "lead"


def test_successful_production_work_makes_independent():
    level = rules.current_level([], [ev(rules.PRODUCTION_PERFORMER, 3)])
    assert (level.level, level.basis) == (3, "evidence")


def test_hands_on_and_observer_floors():
    assert rules.current_level([], [ev(rules.HANDS_ON, 3)]).level == 2
    assert rules.current_level([], [ev(rules.OBSERVER, 3)]).level == 1


def test_unconfirmed_evidence_moves_nothing():
    assert rules.current_level([], [ev(rules.PRODUCTION_PERFORMER, 3, confirmed=False)]).level == 0


def test_evidence_before_the_latest_lead_assessment_is_overruled():
    level = rules.current_level([lead(1, 10)], [ev(rules.PRODUCTION_PERFORMER, 3)])
    assert (level.level, level.basis) == (1, "lead")


def test_evidence_after_a_lowering_raises_the_level_again():
    level = rules.current_level([lead(1, 10)], [ev(rules.PRODUCTION_PERFORMER, 12)])
    assert (level.level, level.basis) == (3, "evidence")


def test_mentor_who_is_independent_becomes_expert():
    assert rules.current_level([lead(3, 1)], [ev(rules.MENTOR, 5)]).level == 4


def test_mentor_below_independent_gets_only_the_hands_on_floor():
    assert rules.current_level([lead(1, 1)], [ev(rules.MENTOR, 5)]).level == 2


def test_mentor_made_independent_by_evidence_becomes_expert():
    level = rules.current_level([], [ev(rules.PRODUCTION_PERFORMER, 2), ev(rules.MENTOR, 5)])
    assert level.level == 4


def test_level_names_what_gave_it():
    level = rules.current_level([lead(3, 1, id=7)])
    assert level.assessment.id == 7
    assert level.explain() == "lead assessment of 2026-01-02"


def test_covers_from_level_three():
    assert not rules.current_level([lead(2, 1)]).covers
    assert rules.current_level([lead(3, 1)]).covers


def test_history_records_each_change_with_its_cause():
    a1, a2, a3 = own(2, 1, id=1), lead(3, 5, id=2), lead(1, 9, id=3)
    changes = rules.level_history([a1, a2, a3])
    assert [(c.before, c.after.level, c.cause) for c in changes] == [(0, 2, a1), (2, 3, a2), (3, 2, a3)]


def test_history_skips_events_that_change_nothing():
    changes = rules.level_history([lead(3, 1, id=1), own(2, 5, id=2)])
    assert len(changes) == 1


def test_freshness_window():
    today = date(2026, 6, 30)
    assert rules.is_fresh(date(2026, 6, 1), 180, today)
    assert rules.is_fresh(today - timedelta(days=180), 180, today)
    assert not rules.is_fresh(today - timedelta(days=181), 180, today)
    assert not rules.is_fresh(None, 180, today)
    assert rules.is_fresh(datetime(2026, 6, 29, 23, tzinfo=UTC), 1, today)


def _brute_force(assessments, evidence):
    """DESIGN.md's formula, written as plainly as possible."""
    leads = [a for a in assessments if a.source == "lead"]
    selfs = [a for a in assessments if a.source == "self"]
    latest_lead = max(leads, key=lambda a: a.at, default=None)
    L = latest_lead.level if latest_lead else 0
    S = max(selfs, key=lambda a: a.at).level if selfs else 0
    counted = [e for e in evidence if e.confirmed and (latest_lead is None or e.at > latest_lead.at)]
    base = max([L, min(S, 2)] + [rules.EVIDENCE_FLOORS[e.role] for e in counted if e.role != rules.MENTOR])
    E = 0
    for e in counted:
        E = max(E, rules.EVIDENCE_FLOORS[e.role] if e.role != rules.MENTOR else (4 if base >= 3 else 2))
    return max(L, E, min(S, 2))


facts = st.lists(
    st.builds(
        lambda level, source, at: AssessmentFact(None, level, source, day(at)),
        st.integers(0, 4),
        st.sampled_from(["self", "lead"]),
        st.integers(0, 10_000),  # distinct enough; ties resolved by the unique-time filter below
    ),
    max_size=6,
    unique_by=lambda a: a.at,
)
evidence_facts = st.lists(
    st.builds(
        lambda role, at, confirmed: EvidenceFact(None, role, day(at) + timedelta(hours=1), confirmed),
        st.sampled_from([rules.PRODUCTION_PERFORMER, rules.MENTOR, rules.HANDS_ON, rules.OBSERVER]),
        st.integers(0, 10_000),
        st.booleans(),
    ),
    max_size=6,
)


@given(facts, evidence_facts)
def test_current_level_matches_the_formula(assessments, evidence):
    assert rules.current_level(assessments, evidence).level == _brute_force(assessments, evidence)


@given(facts, evidence_facts)
def test_history_ends_at_the_current_level(assessments, evidence):
    changes = rules.level_history(assessments, evidence)
    final = changes[-1].after.level if changes else 0
    assert final == rules.current_level(assessments, evidence).level
