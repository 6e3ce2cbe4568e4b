"""The truck factor of DESIGN.md, without a database: hand-worked systems, then property tests
against a brute force that tries every set of people in size order."""

import random
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops_skills.reports.truck_factor import EXACT, EXACT_LIMIT, GREEDY, NO_SKILLS, Removal, truck_factor

ALICE, BOB, CAROL, DAVE = 1, 2, 3, 4
EMAILS = {ALICE: "alice@example.com", BOB: "bob@example.com", CAROL: "carol@example.com", DAVE: "dave@example.com"}


def system(**skills):
    """``system(deploy={ALICE}, dns=set())``: skill names to holders, in the order given."""
    return {name: frozenset(people) for name, people in skills.items()}


def uncovered_by(holders, gone) -> int:
    """How many skills nobody covers once ``gone`` have left, those nobody covered before included."""
    return sum(1 for h in holders.values() if h <= gone)


def brute_force(holders, sort_key, *, start=0):
    """Every set of ``start`` people or more, in size order, each size in the lexicographic order
    of the people sorted by email: the first that leaves more than half the skills uncovered."""
    people = sorted({p for h in holders.values() for p in h}, key=lambda p: (sort_key[p], p))
    for size in range(start, len(people) + 1):
        for combo in combinations(people, size):
            if 2 * uncovered_by(holders, frozenset(combo)) > len(holders):
                return combo
    return None


def in_email_order(people, sort_key):
    return tuple(sorted(people, key=lambda p: (sort_key[p], p)))


def replay(holders, tf):
    """What each removal uncovers when the key people leave in the order given."""
    gone, steps = set(), []
    for person in tf.key_people:
        before = {s for s, h in holders.items() if h and h <= gone}
        gone.add(person)
        steps.append(tuple(s for s, h in holders.items() if h and h <= gone and s not in before))
    return steps


# Hand-worked systems


def test_one_person_holding_most_skills_alone_is_a_truck_factor_of_one():
    holders = system(deploy={ALICE}, rollback={ALICE}, restore={ALICE}, dns={BOB}, tls={ALICE, BOB})
    tf = truck_factor(holders, sort_key=EMAILS)
    # Alice leaving uncovers deploy, rollback and restore: 3 of 5. Bob still covers tls.
    assert (tf.value, tf.method, tf.key_people) == (1, EXACT, (ALICE,))
    assert tf.removals[0].uncovered == ("deploy", "rollback", "restore")


def test_two_people_each_covering_half_is_a_truck_factor_of_two():
    holders = system(deploy={ALICE}, rollback={ALICE}, restore={BOB}, dns={BOB})
    tf = truck_factor(holders, sort_key=EMAILS)
    # Either one leaving uncovers exactly half, which is not more than half.
    assert (tf.value, tf.method, tf.key_people) == (2, EXACT, (ALICE, BOB))
    assert [r.uncovered for r in tf.removals] == [("deploy", "rollback"), ("restore", "dns")]


def test_ties_are_broken_by_email_not_by_id():
    zoe, adam = 1, 2  # the lower id has the later email
    emails = {zoe: "zoe@example.com", adam: "adam@example.com"}
    holders = system(deploy={zoe}, rollback={zoe}, restore={adam}, dns={adam}, tls=set())
    # Either of them leaving makes 3 of 5 uncovered with tls: Adam comes first by email.
    tf = truck_factor(holders, sort_key=emails)
    assert (tf.value, tf.key_people) == (1, (adam,))
    assert truck_factor(holders, sort_key=emails, exact_limit=0).key_people == (adam,)


def test_kept_results_follow_a_changed_email():
    zoe, adam = 1, 2
    holders = system(deploy={zoe}, rollback={zoe}, restore={adam}, dns={adam}, tls=set())
    first = truck_factor(holders, sort_key={zoe: "zoe@example.com", adam: "adam@example.com"})
    assert truck_factor(dict(holders), sort_key={zoe: "zoe@example.com", adam: "adam@example.com"}) is first  # kept
    # Adam renamed to come after Zoe: the same holders, another tie-break, another answer.
    renamed = truck_factor(holders, sort_key={zoe: "zoe@example.com", adam: "zz-adam@example.com"})
    assert (first.key_people, renamed.key_people) == ((adam,), (zoe,))


def test_a_skill_whose_only_cover_left_already_counts_as_uncovered():
    # Dave covered dns alone and has left, so he is simply not among the holders any more.
    before = system(deploy={ALICE}, rollback={ALICE, BOB}, dns={DAVE})
    after = system(deploy={ALICE}, rollback={ALICE, BOB}, dns=set())
    assert truck_factor(before, sort_key=EMAILS).value == 2
    tf = truck_factor(after, sort_key=EMAILS)
    assert tf.already_uncovered == ("dns",)
    # Alice leaving now uncovers deploy, which with dns makes 2 of 3.
    assert (tf.value, tf.key_people, tf.removals[0].uncovered) == (1, (ALICE,), ("deploy",))


def test_stale_covers_count_but_the_fresh_mapping_gives_the_fresh_truck_factor():
    # Bob covers deploy and rollback but has not practised them lately; Alice has.
    holders = system(deploy={ALICE, BOB}, rollback={ALICE, BOB}, dns={BOB})
    fresh = system(deploy={ALICE}, rollback={ALICE}, dns={BOB})
    assert truck_factor(holders, sort_key=EMAILS).value == 2
    tf = truck_factor(fresh, sort_key=EMAILS)
    assert (tf.value, tf.key_people) == (1, (ALICE,))


def test_a_system_without_skills_has_no_truck_factor():
    tf = truck_factor({}, sort_key=EMAILS)
    assert (tf.value, tf.method, tf.removals, tf.skills, tf.already_uncovered) == (None, NO_SKILLS, (), 0, ())


def test_a_system_already_more_than_half_uncovered_has_truck_factor_zero():
    holders = system(deploy={ALICE}, rollback=set(), dns=set())
    for limit in (EXACT_LIMIT, 0):
        tf = truck_factor(holders, sort_key=EMAILS, exact_limit=limit)
        assert (tf.value, tf.method, tf.removals, tf.already_uncovered) == (0, EXACT, (), ("rollback", "dns"))


def test_exactly_half_uncovered_is_not_yet_lost():
    tf = truck_factor(system(deploy={ALICE}, rollback={BOB}, dns=set(), tls=set()), sort_key=EMAILS)
    assert (tf.value, tf.already_uncovered) == (1, ("dns", "tls"))


@pytest.mark.parametrize(
    "alice_alone,skills,value",
    [
        (2, 4, 2),  # 2 of 4 is half: Bob must go too
        (3, 4, 1),  # 3 of 4
        (2, 5, 2),  # 2 of 5 is under half
        (3, 5, 1),  # 3 of 5
        (3, 6, 2),  # 3 of 6 is half
        (4, 6, 1),
    ],
)
def test_more_than_half_at_the_boundary(alice_alone, skills, value):
    # Alice holds the first skills alone and the rest with Bob.
    holders = {f"s{i}": frozenset({ALICE} if i < alice_alone else {ALICE, BOB}) for i in range(skills)}
    assert truck_factor(holders, sort_key=EMAILS).value == value


# The explanation


def test_explanation_removes_whoever_uncovers_most_first():
    zoe, xavier, amy = 1, 2, 3
    emails = {zoe: "zoe@example.com", xavier: "xavier@example.com", amy: "amy@example.com"}
    holders = system(deploy={amy}, rollback={zoe}, restore={zoe}, dns={amy, zoe}, tls={xavier})
    tf = truck_factor(holders, sort_key=emails)
    # 3 of 5 needed. {Amy, Xavier} uncovers 2; {Amy, Zoe}, first by email among those that work,
    # uncovers 4. Zoe alone would uncover 2 and Amy 1, so Zoe goes first although Amy's email
    # comes first.
    assert tf.value == 2
    assert [(r.person, r.uncovered) for r in tf.removals] == [(zoe, ("rollback", "restore")), (amy, ("deploy", "dns"))]
    assert sum(len(r.uncovered) for r in tf.removals) >= len(holders) // 2 + 1


def test_explanation_breaks_equal_removals_by_email():
    holders = system(deploy={BOB}, rollback={ALICE}, dns={ALICE, BOB}, tls={CAROL})
    tf = truck_factor(holders, sort_key=EMAILS)
    assert [(r.person, r.uncovered) for r in tf.removals] == [(ALICE, ("rollback",)), (BOB, ("deploy", "dns"))]


def test_explanation_counts_already_uncovered_skills_towards_half():
    holders = system(deploy={ALICE}, rollback={ALICE, BOB}, dns=set(), tls=set(), scale={CAROL})
    tf = truck_factor(holders, sort_key=EMAILS)
    assert tf.already_uncovered == ("dns", "tls")
    assert [(r.person, r.uncovered) for r in tf.removals] == [(ALICE, ("deploy",))]
    assert len(tf.already_uncovered) + sum(len(r.uncovered) for r in tf.removals) > len(holders) / 2


# 20 coverers and 60 skills: the most the exact search gets


def test_exact_with_20_coverers_and_60_skills_beats_the_greedy_trap():
    # Ann, Ben and Cat each hold 10–11 skills alone: 31 of 60 together. Gus holds the other 29,
    # each with three of 16 others, so greedy takes him (he covers most) though he uncovers nothing.
    ann, ben, cat, gus = 1, 2, 3, 4
    others = list(range(5, 21))
    holders = {skill: frozenset({(ann, ben, cat)[skill % 3]}) for skill in range(31)}
    holders |= {skill: frozenset({gus, *(others[(3 * skill + i) % 16] for i in range(3))}) for skill in range(31, 60)}
    emails = {p: f"person{p:02d}@example.com" for p in range(1, 21)}
    assert len({p for h in holders.values() for p in h}) == 20
    greedy = truck_factor(holders, sort_key=emails, exact_limit=0)
    assert (greedy.value, greedy.method) == (4, GREEDY)
    assert greedy.removals[-1] == Removal(gus, ())  # explained last: he uncovers nothing
    tf = truck_factor(holders, sort_key=emails)
    # Two people uncover at most 11 + 10 of the sole-held skills and none of Gus's: 21 < 31.
    assert (tf.value, tf.method, tf.key_people) == (3, EXACT, (ann, ben, cat))


def test_exact_with_20_coverers_and_60_skills_matches_brute_force():
    rng = random.Random(1)
    people = list(range(1, 21))
    holders = {skill: frozenset(rng.sample(people, rng.randint(2, 4))) for skill in range(60)}
    emails = {p: f"person{p:02d}@example.com" for p in people}
    tf = truck_factor(holders, sort_key=emails)
    greedy = truck_factor(holders, sort_key=emails, exact_limit=0)
    assert tf.method == EXACT and 2 * uncovered_by(holders, frozenset(tf.key_people)) > 60
    assert tf.value < greedy.value  # 13 against 15
    # No set one smaller works (so none smaller at all), and the set is the first of its size.
    assert in_email_order(tf.key_people, emails) == brute_force(holders, emails, start=tf.value - 1)


# Properties on small random systems


@st.composite
def systems(draw):
    people = draw(st.lists(st.integers(1, 40), max_size=8, unique=True))
    skills = draw(st.lists(st.integers(1, 500), max_size=10, unique=True))
    holders = {s: frozenset(draw(st.sets(st.sampled_from(people)))) if people else frozenset() for s in skills}
    # Few distinct emails, so that equal sort keys fall back to ids.
    emails = {
        p: draw(st.sampled_from(["ann@x.com", "bob@x.com", "cy@x.com", "dee@x.com", "eve@x.com"])) for p in people
    }
    return holders, emails


@settings(max_examples=300, deadline=None)
@given(systems())
def test_exact_is_the_first_smallest_set_brute_force_finds(data):
    holders, emails = data
    tf = truck_factor(holders, sort_key=emails)
    if not holders:
        assert (tf.value, tf.method) == (None, NO_SKILLS)
        return
    best = brute_force(holders, emails)
    assert (tf.value, tf.method) == (len(best), EXACT)
    assert in_email_order(tf.key_people, emails) == best


@settings(max_examples=300, deadline=None)
@given(systems(), st.sampled_from([0, EXACT_LIMIT]))
def test_key_people_leaving_uncover_more_than_half_as_explained(data, limit):
    holders, emails = data
    tf = truck_factor(holders, sort_key=emails, exact_limit=limit)
    if not holders:
        return
    assert 2 * uncovered_by(holders, frozenset(tf.key_people)) > len(holders)
    assert len(set(tf.key_people)) == tf.value
    assert [r.uncovered for r in tf.removals] == replay(holders, tf)
    assert tf.already_uncovered == tuple(s for s, h in holders.items() if not h)


@settings(max_examples=300, deadline=None)
@given(systems())
def test_greedy_is_never_smaller_than_exact(data):
    holders, emails = data
    exact = truck_factor(holders, sort_key=emails)
    greedy = truck_factor(holders, sort_key=emails, exact_limit=0)
    if exact.value:
        assert greedy.method == GREEDY and greedy.value >= exact.value
    else:
        assert (greedy.value, greedy.method) == (exact.value, exact.method)


@settings(max_examples=200, deadline=None)
@given(systems(), st.sampled_from([0, EXACT_LIMIT]), st.randoms(use_true_random=False))
def test_the_same_data_in_another_order_gives_the_same_result(data, limit, rnd):
    holders, emails = data
    tf = truck_factor(holders, sort_key=emails, exact_limit=limit)
    people_order = list(emails.items())
    rnd.shuffle(people_order)
    shuffled_emails = dict(people_order)
    reholded = {s: frozenset(rnd.sample(sorted(h), len(h))) for s, h in holders.items()}
    assert truck_factor(reholded, sort_key=shuffled_emails, exact_limit=limit) == tf
    # Skills in another display order: the same people, each uncovering the same skills.
    skill_order = list(holders.items())
    rnd.shuffle(skill_order)
    other = truck_factor(dict(skill_order), sort_key=shuffled_emails, exact_limit=limit)
    assert (other.value, other.method, other.key_people) == (tf.value, tf.method, tf.key_people)
    assert [set(r.uncovered) for r in other.removals] == [set(r.uncovered) for r in tf.removals]
