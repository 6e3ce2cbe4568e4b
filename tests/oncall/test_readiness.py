"""The readiness rule on hand-worked cases, and its properties against random rotas."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ops_skills.oncall import readiness
from ops_skills.oncall.readiness import AT_RISK, BACKUP, READY, Facts, ShiftIn

MON = datetime(2026, 12, 7, 9, tzinfo=UTC)  # a Monday
WEEK = ShiftIn(1, person_id=10, start=MON, end=MON + timedelta(weeks=1), systems=(100,))
FRESH = date(2027, 6, 1)
STALE = date(2026, 12, 10)  # fresh on the shift's first days, stale before its last


def facts(covers, **extra):
    return Facts(critical={100: (1, 2)}, covers=covers, **extra)


def test_a_person_who_covers_every_critical_skill_fresh_is_ready():
    result = readiness.shift_readiness(WEEK, facts({1: {10: FRESH}, 2: {10: FRESH}}), tz=UTC)
    assert (result.status, result.gaps) == (READY, ())


def test_a_gap_with_a_fresh_available_backup_is_ready_with_backup():
    result = readiness.shift_readiness(WEEK, facts({1: {10: FRESH}, 2: {11: FRESH, 12: FRESH}}), tz=UTC)
    assert result.status == BACKUP
    assert result.gaps == (readiness.Gap(100, 2, "not independent", (11, 12)),)


def test_a_cover_that_goes_stale_before_the_shift_ends_is_a_gap():
    result = readiness.shift_readiness(WEEK, facts({1: {10: FRESH}, 2: {10: STALE, 11: STALE}}), tz=UTC)
    assert result.status == AT_RISK
    assert result.gaps == (readiness.Gap(100, 2, "stale", ()),)


def test_a_backup_away_on_one_day_of_the_shift_or_on_call_elsewhere_is_not_available():
    covers = {1: {10: FRESH}, 2: {11: FRESH, 12: FRESH, 13: FRESH}}
    elsewhere = {12: [(2, MON + timedelta(days=3), MON + timedelta(days=4))], 13: [(3, MON - timedelta(weeks=1), MON)]}
    absent = {11: [(date(2026, 12, 14), date(2026, 12, 20))]}  # the shift's last day, Monday 14th until 09:00
    result = readiness.shift_readiness(WEEK, facts(covers, absent=absent, shifts=elsewhere), tz=UTC)
    # 13's other shift ends when this one starts: 13 is around.
    assert result.gaps == (readiness.Gap(100, 2, "not independent", (13,)),)
    assert result.status == BACKUP


def test_nobody_matched_on_call_makes_every_critical_skill_a_gap():
    shift = ShiftIn(1, None, MON, MON + timedelta(days=1), (100,))
    result = readiness.shift_readiness(shift, facts({1: {11: FRESH}}), tz=UTC)
    assert [(g.skill_id, g.why, g.backups) for g in result.gaps] == [
        (1, "nobody on call", (11,)),
        (2, "nobody on call", ()),
    ]
    assert result.status == AT_RISK


def test_the_person_on_calls_own_absence_is_said_not_counted():
    absent = {10: [(date(2026, 12, 1), date(2026, 12, 8))]}
    result = readiness.shift_readiness(WEEK, facts({1: {10: FRESH}, 2: {10: FRESH}}, absent=absent), tz=UTC)
    assert (result.status, result.away) == (READY, ((date(2026, 12, 1), date(2026, 12, 8)),))


def test_shift_days_end_before_midnight():
    assert readiness.shift_days(MON, MON + timedelta(weeks=1), UTC) == (date(2026, 12, 7), date(2026, 12, 14))
    midnight = datetime(2026, 12, 7, tzinfo=UTC)
    assert readiness.shift_days(midnight, midnight + timedelta(days=1), UTC) == (date(2026, 12, 7), date(2026, 12, 7))


people = st.integers(min_value=1, max_value=6)
fresh_until = st.one_of(st.none(), st.dates(min_value=date(2026, 12, 1), max_value=date(2027, 1, 31)))
rotas = st.fixed_dictionaries(
    {
        "critical": st.dictionaries(
            st.integers(1, 3), st.lists(st.integers(1, 8), unique=True, max_size=4), max_size=3
        ),
        "covers": st.dictionaries(st.integers(1, 8), st.dictionaries(people, fresh_until, max_size=5), max_size=8),
        "absent": st.dictionaries(
            people,
            st.lists(
                st.tuples(st.dates(date(2026, 12, 1), date(2026, 12, 31)), st.integers(0, 10)).map(
                    lambda t: (t[0], t[0] + timedelta(days=t[1]))
                ),
                max_size=2,
            ),
            max_size=3,
        ),
        "shifts": st.dictionaries(
            people,
            st.lists(
                st.tuples(st.integers(2, 9), st.integers(0, 400), st.integers(1, 200)).map(
                    lambda t: (t[0], MON + timedelta(hours=t[1] - 200), MON + timedelta(hours=t[1] - 200 + t[2]))
                ),
                max_size=2,
            ),
            max_size=3,
        ),
    }
)
shifts = st.builds(
    lambda person, hours, systems: ShiftIn(1, person, MON, MON + timedelta(hours=hours), tuple(systems)),
    st.one_of(st.none(), people),
    st.integers(1, 24 * 8),
    st.lists(st.integers(1, 3), unique=True, max_size=3),
)


@given(rota=rotas, shift=shifts)
def test_a_person_covering_every_critical_skill_fresh_is_always_ready(rota, shift):
    if shift.person_id is None:
        shift = ShiftIn(shift.key, 1, shift.start, shift.end, shift.systems)
    covers = {skill: dict(holders) for skill, holders in rota["covers"].items()}
    for system in shift.systems:
        for skill in rota["critical"].get(system, ()):
            covers.setdefault(skill, {})[shift.person_id] = date(2027, 12, 31)
    result = readiness.shift_readiness(shift, Facts(**{**rota, "covers": covers}), tz=UTC)
    assert result.status == READY and not result.gaps


@given(rota=rotas, shift=shifts, data=st.data())
def test_removing_a_backup_never_improves_a_status(rota, shift, data):
    before = readiness.shift_readiness(shift, Facts(**rota), tz=UTC)
    backups = sorted({pk for gap in before.gaps for pk in gap.backups})
    if not backups:
        return
    gone = data.draw(st.sampled_from(backups))
    covers = {skill: {pk: f for pk, f in holders.items() if pk != gone} for skill, holders in rota["covers"].items()}
    after = readiness.shift_readiness(shift, Facts(**{**rota, "covers": covers}), tz=UTC)
    assert readiness.SEVERITY[after.status] >= readiness.SEVERITY[before.status]


@given(rota=rotas, shift=shifts)
def test_the_status_matches_a_brute_force_reading_of_the_rule(rota, shift):
    first, last = readiness.shift_days(shift.start, shift.end, UTC)
    days = {first + timedelta(days=i) for i in range((last - first).days + 1)}

    def can(pk, skill):
        return (f := rota["covers"].get(skill, {}).get(pk, False)) is not False and f is not None and f >= last

    def around(pk):
        away = any(a <= d <= b for a, b in rota["absent"].get(pk, ()) for d in days)
        busy = any(k != shift.key and s < shift.end and e > shift.start for k, s, e in rota["shifts"].get(pk, ()))
        return not away and not busy

    needed = [skill for system in shift.systems for skill in rota["critical"].get(system, ())]
    missing = [skill for skill in needed if shift.person_id is None or not can(shift.person_id, skill)]
    helped = [any(can(pk, s) and around(pk) for pk in range(1, 7) if pk != shift.person_id) for s in missing]
    expected = READY if not missing else BACKUP if all(helped) else AT_RISK
    assert readiness.shift_readiness(shift, Facts(**rota), tz=UTC).status == expected


def test_a_swap_is_someone_available_who_covers_every_critical_skill_fresh():
    covers = {1: {10: FRESH, 11: FRESH, 12: FRESH, 13: FRESH}, 2: {11: FRESH, 12: FRESH, 13: STALE}}
    absent = {12: [(date(2026, 12, 9), date(2026, 12, 9))]}
    assert readiness.swaps(WEEK, facts(covers, absent=absent), tz=UTC) == (11,)
    assert readiness.swaps(ShiftIn(1, 10, MON, MON + timedelta(days=1), ()), facts(covers), tz=UTC) == ()


@given(rota=rotas, shift=shifts)
def test_whoever_a_swap_proposes_would_be_ready_in_the_shift(rota, shift):
    for pk in readiness.swaps(shift, Facts(**rota), tz=UTC):
        swapped = ShiftIn(shift.key, pk, shift.start, shift.end, shift.systems)
        assert readiness.shift_readiness(swapped, Facts(**rota), tz=UTC).status == READY
