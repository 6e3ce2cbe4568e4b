"""The degree of authorship and the greedy file-based truck factor (Avelino et al., ICPC 2016):
hand-worked histories, the author rule's edges, and property tests against naive versions."""

import itertools
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops_skills.repos.authorship import Change, doa, file_authors, is_author, truck_factor

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SINCE = NOW - timedelta(days=730)
RECENT = NOW - timedelta(days=10)
OLD = NOW - timedelta(days=3 * 365)


def history(*entries, at=RECENT):
    """Changes from (identity, created) pairs or identities (a change that did not create)."""
    return [Change(e, at, False) if isinstance(e, str) else Change(e[0], at, e[1]) for e in entries]


def test_doa_is_the_papers_formula():
    # 3.293 + 1.098·1 + 0.164·2 − 0.321·ln(1 + 3) = 4.719 − 0.321·1.386294 = 4.2740
    assert doa(1, 2, 3) == pytest.approx(4.2740, abs=1e-4)
    # Nobody else, no deliveries: the base alone, plus first authorship.
    assert doa(0, 0, 0) == pytest.approx(3.293)
    assert doa(1, 0, 0) == pytest.approx(4.391)


def test_creator_and_a_frequent_changer_are_both_authors():
    changes = history(("aiko", True), "aiko", "aiko", "bo", "bo", "bo")
    # aiko: FA 1, DL 2, AC 3 -> 3.293 + 1.098 + 0.328 − 0.321·ln 4 = 4.2740 (the top)
    # bo:   FA 0, DL 3, AC 3 -> 3.293 + 0.492 − 0.321·ln 4 = 3.3400; 3.3400 / 4.2740 = 0.7815
    authors = file_authors(changes, since=SINCE)
    assert authors == pytest.approx({"aiko": 4.2740, "bo": 3.3400}, abs=1e-4)
    assert list(authors) == ["aiko", "bo"]


def test_below_three_quarters_of_the_top_is_not_an_author():
    changes = history(("aiko", True), *["aiko"] * 10, *["bo"] * 5)
    # aiko: FA 1, DL 10, AC 5  -> 3.293 + 1.098 + 1.64 − 0.321·ln 6  = 5.4558
    # bo:   FA 0, DL 5,  AC 11 -> 3.293 + 0.82 − 0.321·ln 12 = 3.3153 (>= 3.293 but 0.61 of the top)
    assert file_authors(changes, since=SINCE) == pytest.approx({"aiko": 5.4558}, abs=1e-4)


def test_the_author_rule_at_its_edges():
    # 0.75 of a top of 4.0 is exactly 3.0: reaching it is enough, for a creator.
    assert is_author(3.0, 4.0, created=True)
    assert not is_author(2.9999, 4.0, created=True)
    # Not a creator: the DOA must also reach 3.293.
    assert not is_author(3.0, 4.0, created=False)
    assert is_author(3.293, 4.0, created=False)
    assert not is_author(3.2929, 4.0, created=False)


def test_a_creator_below_the_minimum_is_still_the_author():
    changes = history(("aiko", True), *(f"p{i:02}" for i in range(30)))
    # aiko: FA 1, DL 0, AC 30 -> 4.391 − 0.321·ln 31 = 4.391 − 1.1023 = 3.2887 < 3.293, the top
    # each other: FA 0, DL 1, AC 30 -> 3.457 − 1.1023 = 2.3547 (0.716 of the top, no FA)
    assert file_authors(changes, since=SINCE) == pytest.approx({"aiko": 3.2887}, abs=1e-4)


def test_without_a_creator_nobody_below_the_minimum_is_an_author():
    # bo and cy: FA 0, DL 1, AC 1 -> 3.457 − 0.321·ln 2 = 3.2345: equal tops, below 3.293.
    assert file_authors(history("bo", "cy"), since=SINCE) == {}


def test_old_changes_do_not_count():
    changes = [Change("aiko", OLD, True), *history("aiko", "bo", "bo")]
    # In the window: aiko FA 0 (the creation is too old), DL 1, AC 2 -> 3.457 − 0.321·ln 3 = 3.1043
    #                bo   FA 0, DL 2, AC 1 -> 3.621 − 0.321·ln 2 = 3.3985 (the top)
    assert file_authors(changes, since=SINCE) == pytest.approx({"bo": 3.3985}, abs=1e-4)
    # Counting everything: aiko FA 1, DL 1, AC 2 -> 4.555 − 0.3527 = 4.2023
    #                      bo   FA 0, DL 2, AC 2 -> 3.621 − 0.3527 = 3.2683 (< 3.293)
    assert file_authors(changes, since=OLD) == pytest.approx({"aiko": 4.2023}, abs=1e-4)


def test_a_change_at_the_start_of_the_window_counts():
    assert file_authors([Change("aiko", SINCE, True)], since=SINCE) == pytest.approx({"aiko": 4.391})
    assert file_authors([Change("aiko", SINCE - timedelta(seconds=1), True)], since=SINCE) == {}


def test_bots_are_left_out_entirely():
    changes = history(("aiko", True), *["renovate[bot]"] * 20)
    # With the bot: aiko 4.391 − 0.321·ln 21 = 3.4137, the bot 3.293 + 3.28 − 0.321·ln 2 = 6.3505.
    assert list(file_authors(changes, since=SINCE)) == ["renovate[bot]"]
    # Without it aiko is alone: FA 1, DL 0, AC 0 -> 4.391.
    assert file_authors(changes, since=SINCE, ignored={"renovate[bot]"}) == pytest.approx({"aiko": 4.391})


def test_departed_people_count_for_others_but_are_never_authors():
    changes = history(("aiko", True), *["aiko"] * 10, *["bo"] * 5)
    # aiko left: not an author and not the top; bo: FA 0, DL 5, AC 11 (aiko's changes) -> 3.3153.
    assert file_authors(changes, since=SINCE, departed={"aiko"}) == pytest.approx({"bo": 3.3153}, abs=1e-4)
    assert file_authors(changes, since=SINCE, departed={"aiko", "bo"}) == {}


def test_no_changes_no_authors():
    assert file_authors([], since=SINCE) == {}


# The file-based truck factor, by hand.


def test_no_files_gives_zero():
    tf = truck_factor({})
    assert (tf.value, tf.removed, tf.files, tf.orphaned_after, tf.method) == (0, [], 0, [], "greedy")


def test_one_author_gives_one():
    tf = truck_factor({"main.tf": ["aiko"], "vars.tf": ["aiko"]})
    assert (tf.value, tf.removed, tf.files, tf.orphaned_after) == (1, ["aiko"], 2, [2])


def test_everyone_departed_gives_zero():
    tf = truck_factor({"a": [], "b": [], "c": []})
    assert (tf.value, tf.removed, tf.orphaned_before) == (0, [], 3)


def test_greedy_removes_by_files_authored_until_fewer_than_half_have_an_author():
    tf = truck_factor({"f1": ["a"], "f2": ["a", "b"], "f3": ["b"], "f4": ["c"]})
    # Ranked a 2, b 2 (a first by identity), c 1. After a: f1 orphaned, 3 of 4 have an author
    # (at least half: go on). After b: f2 and f3 too, 1 of 4: fewer than half, stop.
    assert (tf.value, tf.removed, tf.orphaned_after, tf.orphaned_before) == (2, ["a", "b"], [1, 3], 0)


def test_exactly_half_still_covered_means_one_more_removal():
    tf = truck_factor({"f1": ["a"], "f2": ["b"]})
    # After a, 1 of 2 files has an author: exactly half, which is not fewer than half.
    assert (tf.value, tf.removed, tf.orphaned_after) == (2, ["a", "b"], [1, 2])


def test_already_mostly_orphaned_gives_zero():
    tf = truck_factor({"f1": [], "f2": [], "f3": ["a"]})
    assert (tf.value, tf.orphaned_before) == (0, 2)


# Property tests against naive versions written from the definitions.

IDENTITIES = ["ann", "bob", "cy", "dee", "eve"]


@st.composite
def file_histories(draw):
    """A file's changes over three years (the creation, when it is there, first), a window
    start, bots and leavers."""
    days = draw(st.lists(st.integers(0, 3 * 365), max_size=12))
    who = draw(st.lists(st.sampled_from(IDENTITIES), min_size=len(days), max_size=len(days)))
    created = draw(st.booleans())
    ordered = sorted(days, reverse=True)
    changes = [
        Change(p, NOW - timedelta(days=d), created and i == 0)
        for i, (p, d) in enumerate(zip(who, ordered, strict=True))
    ]
    since = NOW - timedelta(days=draw(st.integers(0, 3 * 365)))
    ignored = frozenset(draw(st.sets(st.sampled_from(IDENTITIES), max_size=2)))
    departed = frozenset(draw(st.sets(st.sampled_from(IDENTITIES), max_size=2)))
    return changes, since, ignored, departed


def naive_authors(changes, since, ignored, departed):
    kept = [c for c in changes if not c.at < since and c.identity not in ignored]
    degrees = {}
    for person in {c.identity for c in kept} - set(departed):
        mine = [c for c in kept if c.identity == person]
        first = 1 if any(c.created for c in mine) else 0
        deliveries = len([c for c in mine if not c.created])
        acceptances = len(kept) - len(mine)
        degrees[person] = (3.293 + 1.098 * first + 0.164 * deliveries - 0.321 * math.log(1 + acceptances), first)
    if not degrees:
        return {}
    best = max(value for value, _ in degrees.values())
    return {
        p: value for p, (value, first) in degrees.items() if value / best >= 0.75 and (value >= 3.293 or first == 1)
    }


@settings(max_examples=200, deadline=None)
@given(file_histories())
def test_file_authors_matches_a_naive_version(case):
    changes, since, ignored, departed = case
    found = file_authors(changes, since=since, ignored=ignored, departed=departed)
    expected = naive_authors(changes, since, ignored, departed)
    assert found == pytest.approx(expected)
    assert list(found) == sorted(found)


authors_by_file = st.dictionaries(st.integers(0, 40), st.sets(st.sampled_from(IDENTITIES[:5]), max_size=3), max_size=10)


def covered_without(files, gone):
    return sum(1 for authors in files.values() if set(authors) - set(gone))


def naive_greedy(files):
    everyone = sorted({a for authors in files.values() for a in authors})
    ranked = sorted(everyone, key=lambda a: (-sum(a in authors for authors in files.values()), a))
    gone = []
    while ranked and not covered_without(files, gone) * 2 < len(files):
        gone.append(ranked.pop(0))
    return gone


def exact_minimum(files):
    everyone = sorted({a for authors in files.values() for a in authors})
    for size in range(len(everyone) + 1):
        for gone in itertools.combinations(everyone, size):
            if covered_without(files, gone) * 2 < len(files):
                return size
    return 0  # no files


@settings(max_examples=200, deadline=None)
@given(authors_by_file)
def test_truck_factor_matches_a_naive_greedy(files):
    tf = truck_factor(files)
    assert tf.removed == naive_greedy(files)
    assert tf.value == len(tf.removed)
    assert tf.files == len(files)
    assert tf.orphaned_after == [len(files) - covered_without(files, tf.removed[: i + 1]) for i in range(tf.value)]


@settings(max_examples=200, deadline=None)
@given(authors_by_file)
def test_greedy_is_no_smaller_than_the_exact_minimum_and_stops_at_the_first_loss(files):
    tf = truck_factor(files)
    assert tf.value >= exact_minimum(files)
    if tf.value:
        # Removing them all leaves more than half of the files orphaned; all but the last does not.
        assert covered_without(files, tf.removed) * 2 < len(files)
        assert not covered_without(files, tf.removed[:-1]) * 2 < len(files)
