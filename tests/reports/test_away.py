"""Who counts as away in a day or a week (plain data, no database): hand-worked weeks."""

from datetime import date

from ops_skills.reports.away import Away, away_in, counted_away, counted_days, span_text, working_days

# ISO week 51 of 2026: Monday 14 to Sunday 20 December.
MON, FRI, SUN = date(2026, 12, 14), date(2026, 12, 18), date(2026, 12, 20)


def week_51(*spans):
    return away_in({1: list(spans)}, MON, SUN).get(1)


def test_one_day_away_is_not_away_for_the_week():
    away = week_51((date(2026, 12, 16), date(2026, 12, 16)))
    assert (away.days, away.of, away.counts) == (1, 5, False)
    assert away.share == "1 of 5 days"


def test_two_of_five_is_present_three_of_five_is_away():
    assert week_51((MON, date(2026, 12, 15))).counts is False
    three = week_51((date(2026, 12, 16), FRI))
    assert (three.days, three.counts) == (3, True)
    assert three.share == "3 of 5 days"


def test_weekends_do_not_count():
    # Thursday to the next Tuesday: 2 working days of this week, whatever the weekend.
    away = week_51((date(2026, 12, 17), date(2026, 12, 22)))
    assert (away.days, away.of, away.counts) == (2, 5, False)
    weekend_only = week_51((date(2026, 12, 19), SUN))
    assert (weekend_only.days, weekend_only.counts) == (0, False)


def test_several_absences_add_up_and_overlaps_count_once():
    away = week_51((MON, MON), (date(2026, 12, 15), date(2026, 12, 16)), (MON, date(2026, 12, 15)))
    assert (away.days, away.counts) == (3, True)
    assert away.spans[0] == (MON, MON)


def test_a_week_crossing_a_month_and_a_year():
    # ISO 2026-W44 runs Monday 26 October to Sunday 1 November (the clocks change in Europe on
    # the 25th: irrelevant, absences are dates).
    first, last = date(2026, 10, 26), date(2026, 11, 1)
    assert [d.day for d in counted_days(first, last)] == [26, 27, 28, 29, 30]
    away = away_in({7: [(date(2026, 10, 29), date(2026, 11, 6))]}, first, last)[7]
    assert (away.days, away.of, away.counts) == (2, 5, False)
    # ISO 2026-W01 runs from Monday 29 December 2025.
    new_year = away_in({7: [(date(2025, 12, 29), date(2025, 12, 31))]}, date(2025, 12, 29), date(2026, 1, 4))[7]
    assert (new_year.days, new_year.counts) == (3, True)


def test_a_single_day_counts_itself_even_on_a_weekend():
    assert away_in({1: [(FRI, FRI)]}, FRI, FRI)[1].counts is True
    saturday = date(2026, 12, 19)
    assert counted_days(saturday, saturday) == [saturday]
    assert away_in({1: [(saturday, SUN)]}, saturday, saturday)[1].share == "1 of 1 day"


def test_absences_outside_the_span_are_ignored_and_only_majorities_count():
    found = away_in({1: [(date(2026, 12, 1), date(2026, 12, 2))], 2: [(MON, FRI)], 3: [(MON, MON)]}, MON, SUN)
    assert set(found) == {2, 3}
    assert counted_away(found) == {2}


def test_working_days_and_span_text():
    assert working_days(MON, SUN) == 5
    assert working_days(date(2026, 12, 19), SUN) == 0
    assert working_days(date(2026, 12, 18), date(2026, 12, 21)) == 2
    assert span_text(MON, FRI) == "14–18 Dec"
    assert span_text(date(2026, 12, 28), date(2027, 1, 3)) == "28 Dec – 3 Jan"
    assert span_text(MON, MON) == "14 Dec"
    assert Away(1, 1, 1, ()).share == "1 of 1 day"
