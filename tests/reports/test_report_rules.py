from ops_skills.reports.coverage import OrgFacts, PersonFacts, SkillFacts, SystemFacts
from ops_skills.reports.report import build_report, report_json, what_if


def _org():
    people = {1: PersonFacts(1, "a@x.com", "A", 1), 2: PersonFacts(2, "b@x.com", "B", 1)}
    systems = {1: SystemFacts(1, "Svc", "svc", 1, 1), 2: SystemFacts(2, "Empty", "empty", 1, 2)}
    skills = (
        SkillFacts(10, 1, "K", "k", frozenset({1, 2}), frozenset({1})),
        SkillFacts(11, 1, "L", "l", frozenset({1}), frozenset()),
    )
    return OrgFacts(people=people, systems=systems, skills=skills, levels={(2, 11): 2})


def test_report_json_schema():
    data = report_json(build_report(_org()))
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


def test_what_if_nobody_changes_nothing():
    w = what_if(_org(), [])
    assert not w.newly_uncovered and not w.new_single_points and not w.truck_factor_drops and not w.transfers


def test_what_if_departure_needs_transfer():
    w = what_if(_org(), [1])
    assert [s.slug for s in w.newly_uncovered] == ["l"]
    assert w.transfers[0].departing == ("a@x.com",)
    assert w.transfers[0].candidates == ("b@x.com",)
