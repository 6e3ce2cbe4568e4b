"""The planner's safeguards as plain data: who is left out of a plan, as what, and why."""

from datetime import date

from ops_skills.planner.eligibility import LeftOut, PersonStatus, left_out
from ops_skills.reports.away import away_in

WEEK_51 = (date(2026, 12, 14), date(2026, 12, 20))


def status(**changes):
    base = {"id": 1, "team_id": 1, "is_admin": False, "is_active": True, "has_logged_in": True, "in_onboarding": False}
    return PersonStatus(**{**base, **changes})


def away(*spans):
    return away_in({1: list(spans)}, *WEEK_51)[1]


def test_an_ordinary_person_is_not_left_out():
    assert left_out(status()) is None


def test_away_most_of_the_week_is_neither_mentor_nor_learner():
    why = left_out(status(), away((date(2026, 12, 14), date(2026, 12, 18))))
    assert why == LeftOut(1, True, True, ("away 14–18 Dec (5 of 5 days of the week)",))
    assert why.roles == "neither mentor nor learner"
    three = left_out(status(), away((date(2026, 12, 10), date(2026, 12, 16))))
    assert three.reasons == ("away 10–16 Dec (3 of 5 days of the week)",)


def test_one_day_away_or_a_weekend_is_no_reason():
    assert left_out(status(), away((date(2026, 12, 16), date(2026, 12, 16)))) is None
    assert left_out(status(), away((date(2026, 12, 19), date(2026, 12, 20)))) is None
    assert left_out(status(), away((date(2026, 12, 14), date(2026, 12, 15)))) is None  # 2 of 5


def test_a_new_hire_in_onboarding_is_not_a_mentor():
    why = left_out(status(in_onboarding=True))
    assert (why.as_mentor, why.as_learner, why.reasons) == (True, False, ("still in onboarding",))
    assert why.roles == "not a mentor"


def test_people_who_cannot_log_in_yet_and_admins_on_no_team_are_not_learners():
    never = left_out(status(has_logged_in=False))
    assert (never.as_mentor, never.as_learner, never.reasons) == (False, True, ("has never logged in (invite them)",))
    assert never.roles == "not a learner"
    assert left_out(status(is_active=False, has_logged_in=False)).reasons == ("account disabled",)
    admin = left_out(status(is_admin=True, team_id=None))
    assert (admin.as_mentor, admin.as_learner, admin.reasons) == (False, True, ("admin on no team",))
    assert left_out(status(is_admin=True, team_id=2)) is None  # an admin on a team learns like anyone


def test_reasons_add_up():
    why = left_out(status(in_onboarding=True, has_logged_in=False), away((date(2026, 12, 14), date(2026, 12, 16))))
    assert why.reasons == (
        "away 14–16 Dec (3 of 5 days of the week)",
        "still in onboarding",
        "has never logged in (invite them)",
    )
    assert (why.as_mentor, why.as_learner) == (True, True)
