"""The matrix import stores the levels of exactly the cells it changed, by the same rule as every
other write but from the facts that can still count after a new lead assessment: the store then
equals a full recomputation (checked here and after every test by ``stored_levels_stay_right``)."""

from datetime import timedelta

from django.utils import timezone

from ops_skills import flows
from ops_skills.levels import selectors, store
from ops_skills.levels.matrix_csv import matrix_import
from ops_skills.levels.services import assessment_record
from tests.factories import make_person, make_session, make_skill, make_system


def _sheet(*rows):
    header = "email,name,team,api/deploy,api/restore,api/rotate"
    return "\n".join([header, *rows]) + "\n"


def test_the_import_keeps_what_the_rule_keeps(team, lead, member, new_hire, admin_user):
    api = make_system(team, slug="api")
    deploy, restore, rotate = (make_skill(api, slug=s) for s in ("deploy", "restore", "rotate"))
    bystander = make_person(team, email="bystander@example.com")
    # A self assessment of 2 outlives a lead's 1 (self counts up to 2).
    assessment_record(author=member, person=member, skill=deploy, level=2)
    # Practice before the import: it no longer raises the level, but it still dates the practice.
    flows.evidence_confirm(
        evidence=make_session(member, [new_hire], [restore], status="pending", days_ago=10), person=new_hire
    )
    # Evidence dated after the import (a session logged for later today) still counts.
    later = make_session(new_hire, [member], [rotate], status="pending")
    later.occurred_at = timezone.now() + timedelta(hours=2)
    later.save(update_fields=["occurred_at"])
    flows.evidence_confirm(evidence=later, person=member)
    # A cell the sheet leaves alone keeps its row.
    assessment_record(author=lead, person=bystander, skill=deploy, level=4)

    result = matrix_import(
        author=admin_user,
        text=_sheet(
            f"{member.email},{member.name},platform,1,3,0",
            f"{new_hire.email},{new_hire.name},platform,0,1,4",
        ),
        filename="sheet.csv",
    )
    assert result.written, result.plan.errors

    assert not store.differences()
    level = selectors.level_of
    assert (level(member, deploy).level, level(member, deploy).basis) == (2, "self")
    assert level(member, restore).level == 3 and level(member, restore).practised_at is not None
    assert (level(member, rotate).level, level(member, rotate).basis) == (2, "evidence")
    assert level(new_hire, deploy).level == 0  # no row: a lead's 0 over nothing else
    assert level(new_hire, rotate).level == 4
    assert level(bystander, deploy).level == 4
