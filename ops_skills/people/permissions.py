"""Who may do what: every role check of the app, as named predicates over people and teams.

Views (through their ``_get_<thing>_for_user`` helpers), services, the API and the templates (the
``permissions`` template filters) all ask these, so the web and the API cannot disagree. Plain
functions of the people involved; the evidence predicates take what they need as plain data, so
that this module, on the ground floor, imports nothing from the apps above it.
"""

from __future__ import annotations

from collections.abc import Collection


def is_lead_or_admin(person) -> bool:
    return person.is_admin or person.is_lead


def leads_team(person, team_id: int | None) -> bool:
    return person.is_lead and team_id is not None and person.team_id == team_id


def can_manage(viewer, person) -> bool:
    """May set lead assessments of ``person`` and edit their profile: an admin, or a lead of
    their team."""
    return viewer.is_admin or leads_team(viewer, person.team_id)


def can_manage_team(viewer, team_id: int | None) -> bool:
    """May plan, import and run onboarding for a team: an admin, or one of its leads."""
    return viewer.is_admin or leads_team(viewer, team_id)


def can_plan(viewer, team) -> bool:
    """May read and accept the transfer plan of ``team`` and cancel its assignments."""
    return can_manage_team(viewer, team.pk)


def can_plan_somewhere(viewer) -> bool:
    """Has a team to plan for (the navigation shows the plan)."""
    return viewer.is_admin or (viewer.is_lead and viewer.team_id is not None)


def can_import(viewer) -> bool:
    """May import the skill matrix (a lead for their own team, an admin for any; a lead on no team
    is told by the import that there is nothing they may import)."""
    return viewer.is_admin or viewer.is_lead


def can_invite(viewer) -> bool:
    return viewer.is_admin or (viewer.is_lead and viewer.team_id is not None)


def can_invite_person(viewer, person) -> bool:
    """May invite ``person``, who has an account but no password yet (``Person.awaits_invitation``),
    to choose one: an admin, or a lead of their team; a lead never an admin."""
    if viewer.pk == person.pk or not can_invite(viewer):
        return False
    return viewer.is_admin or (leads_team(viewer, person.team_id) and not person.is_admin)


def can_read_report(viewer, team_id: int | None, *, what_if: bool = False) -> bool:
    """The bus-factor report of ``team_id`` (None: the whole organisation). Members read their
    own team's; leads and admins any team's and the organisation's. Asking what would happen if
    people left is for leads and admins only."""
    if is_lead_or_admin(viewer):
        return True
    return not what_if and team_id is not None and team_id == viewer.team_id


def can_read_oncall(viewer, team_id: int | None) -> bool:
    """A team's on-call rota and its readiness: the team's own people, and admins."""
    return viewer.is_admin or (team_id is not None and viewer.team_id == team_id)


def can_manage_oncall(viewer, team_id: int | None) -> bool:
    """May add, change and fetch a team's on-call schedules: an admin, or one of its leads."""
    return can_manage_team(viewer, team_id)


def can_read_repository(viewer, team_id: int | None) -> bool:
    """A repository's authorship and truck factor: the owning team's people, and admins."""
    return viewer.is_admin or (team_id is not None and viewer.team_id == team_id)


def can_register_repository(viewer) -> bool:
    """May register a repository, map its paths and read it again: admins only."""
    return viewer.is_admin


def can_decide_suggestion(viewer, person) -> bool:
    """May accept or dismiss a git suggestion about ``person``: their lead, or an admin. Nobody
    decides one about themself (a lead's own suggestions go to another lead or an admin)."""
    return viewer.pk != person.pk and can_manage(viewer, person)


def can_record_absence(viewer, person) -> bool:
    """People record their own absences; leads those of their team; admins anyone's."""
    return viewer.pk == person.pk or can_manage(viewer, person)


def can_read_calendar(viewer, person) -> bool:
    """A person's calendar (assignments, onboarding due dates, absences): themself, a lead of
    their team, an admin. Only the person themself makes a subscription address for it."""
    return viewer.pk == person.pk or can_manage(viewer, person)


def can_see_flagged(viewer) -> bool:
    """Production runs done alone are followed up by leads and admins."""
    return is_lead_or_admin(viewer)


def can_read_audit(viewer) -> bool:
    """The audit trail: admins read all of it, a lead the entries about their team; members none."""
    return viewer.is_admin or (viewer.is_lead and viewer.team_id is not None)


def can_log_for(author, people: Collection) -> bool:
    """A member logs only evidence they took part in; a lead also evidence of their team's
    people; an admin anyone's."""
    if author.is_admin or any(p.pk == author.pk for p in people):
        return True
    return bool(people) and all(can_manage(author, p) for p in people)


def can_decide(viewer, *, logged_by_id: int | None, participant_ids: Collection[int], team_ids: Collection) -> bool:
    """May confirm or dispute evidence: another participant than the one who logged it, a lead of
    someone who took part (``team_ids``: the participants' teams), or an admin. Whether the
    evidence may still move is the life cycle's rule (``evidence.lifecycle``). Whoever logged it
    never decides on it: evidence is confirmed by someone else."""
    if viewer.pk == logged_by_id:
        return False
    if viewer.pk in participant_ids:
        return True
    if viewer.is_admin:
        return True
    return viewer.is_lead and viewer.team_id is not None and viewer.team_id in team_ids


def can_edit_runbook(viewer, runbook) -> bool:
    return viewer.is_admin or leads_team(viewer, runbook.system.team_id) or runbook.owner_id == viewer.pk


def can_write_runbooks(viewer) -> bool:
    return viewer.is_admin or (viewer.is_lead and viewer.team_id is not None)


def can_mark_left(viewer, person) -> bool:
    """May mark ``person`` as having left: an admin, or a lead of their team for anyone on it but
    an admin; nobody marks themselves."""
    if viewer.pk == person.pk:
        return False
    return viewer.is_admin or (leads_team(viewer, person.team_id) and not person.is_admin)


def can_anonymise(viewer, person) -> bool:
    """May erase ``person``'s name and email (once they have left, ``people.leaving``): admins."""
    return viewer.is_admin and viewer.pk != person.pk
