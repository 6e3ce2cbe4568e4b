"""The slash command (``/ops-skills``, ``SLACK_COMMAND``): ``pair``, ``who``, ``risk``, ``link``, ``help``.

Each answer is a message (``blocks.message``) shown only to whoever typed the command. Logging a
pairing session goes through the same service and rules as the web form; its participants are
then asked to confirm it in a direct message (``chat.delivery``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone

from ops_skills.chat import blocks, linking
from ops_skills.chat.blocks import escape, link
from ops_skills.evidence import services as evidence_services
from ops_skills.levels import rules
from ops_skills.levels.models import CurrentLevel
from ops_skills.people.models import Person, Team
from ops_skills.planner.models import Assignment, Interest
from ops_skills.reports import selectors as report_selectors
from ops_skills.reports.summary import summarise
from ops_skills.skills.models import Skill

MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
DURATION = re.compile(r"^(?:(\d{1,2})h)?(?:(\d{1,3})m(?:in)?)?$")
DEFAULT_MINUTES = 60
MAX_MINUTES = 24 * 60
TOP = 5


class Refused(Exception):
    """A clear answer to a command that cannot be done: said to the person, nothing written."""


@dataclass
class Result:
    answer: dict
    logged: object | None = None  # the evidence a ``pair`` logged, for the confirmation messages


def usage(command: str) -> str:
    return (
        f"*{command} pair @mentor @learner [@learner…] system/skill[,system/skill…] [45m] [notes]* "
        f"— log a pairing session (default {DEFAULT_MINUTES} min); the others are asked to confirm it\n"
        f"*{command} who system/skill* — who covers it, fresh or stale, and who is learning it\n"
        f"*{command} who system* — each skill of a system and how many cover it\n"
        f"*{command} risk [team]* — the top single points of knowledge\n"
        f"*{command} link CODE* — link your Slack user to ops-skills (the code is on your chat page)\n"
        f"*{command} help* — this list"
    )


def run(*, client, slack_user_id: str, text: str, command: str) -> Result:
    """Answer ``command text`` typed by ``slack_user_id``."""
    words = text.split()
    verb = words[0].lower() if words else "help"
    rest = words[1:]
    try:
        if verb == "help":
            return Result(blocks.message(usage(command)))
        if verb == "link":
            return Result(_link(slack_user_id, rest))
        person = linking.person_for(client, slack_user_id)
        if person is None:
            raise Refused(
                "I do not know who you are in ops-skills: no active person has your Slack email. "
                f"Open your chat page in ops-skills and follow it to link yourself ({command} link CODE)."
            )
        if verb == "pair":
            return _pair(client, person, rest)
        if verb == "who":
            return Result(_who(rest, command))
        if verb == "risk":
            return Result(_risk(person, rest, command))
        raise Refused(f"I do not know “{escape(verb[:40])}”. Try:\n{usage(command)}")
    except Refused as refused:
        return Result(blocks.message(str(refused)))


def _link(slack_user_id: str, rest: list[str]) -> dict:
    if len(rest) != 1:
        raise Refused("Type the code from your chat page in ops-skills: link 12345678")
    person = linking.code_redeem(slack_user_id=slack_user_id, code=rest[0])
    if person is None:
        raise Refused("That code is unknown or expired (codes last 15 minutes). Get a new one from your chat page.")
    return blocks.message(f"Linked: in ops-skills you are {escape(person.name or person.email)}.")


def _skills(path: str) -> list[Skill]:
    """``system/skill[,system/skill…]`` → the skills, or a clear refusal naming the bad one."""
    found = []
    for part in path.split(","):
        system_slug, slash, skill_slug = part.strip().partition("/")
        if not slash or not system_slug or not skill_slug:
            raise Refused(f"“{escape(part[:80])}” is not system/skill, such as postgres-main/restore.")
        skill = (
            Skill.objects.select_related("system")
            .filter(system__slug=system_slug.lower(), slug=skill_slug.lower())
            .first()
        )
        if skill is None:
            raise Refused(f"No skill {escape(system_slug[:40])}/{escape(skill_slug[:40])}.")
        found.append(skill)
    return found


def _minutes(word: str) -> int | None:
    match = DURATION.match(word.lower())
    if not match or not any(match.groups()):
        return None
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return hours * 60 + minutes


def _pair(client, author: Person, rest: list[str]) -> Result:
    mentions = []
    while rest and (match := MENTION.match(rest[0])):
        mentions.append(match.group(1))
        rest = rest[1:]
    if len(mentions) < 2:
        raise Refused("Name the mentor, then at least one learner, as @mentions: pair @mentor @learner system/skill")
    if not rest:
        raise Refused("Name the skill you worked on: pair @mentor @learner system/skill")
    skills = _skills(rest[0])
    rest = rest[1:]
    minutes = DEFAULT_MINUTES
    if rest and (given := _minutes(rest[0])) is not None:
        minutes, rest = given, rest[1:]
    if not 1 <= minutes <= MAX_MINUTES:
        raise Refused("A session lasts between 1 minute and 24 hours.")
    people = []
    for slack_user_id in mentions:
        person = linking.person_for(client, slack_user_id)
        if person is None:
            raise Refused(f"<@{slack_user_id}> is not linked to anyone in ops-skills.")
        people.append(person)
    notes = " ".join(rest)
    try:
        session = evidence_services.pairing_session_log(
            author=author, mentor=people[0], learners=people[1:], skills=skills, duration_minutes=minutes, notes=notes
        )
    except PermissionDenied as denied:
        raise Refused(str(denied) or "You may not log this session.") from None
    except ValidationError as error:
        raise Refused(" ".join(error.messages)) from None
    return Result(
        blocks.message(
            f"Logged: {blocks.evidence_summary(session)}. The others are asked to confirm it.",
            blocks.section(
                f"Logged: {blocks.evidence_summary(session)}.\nThe others are asked to confirm it. "
                f"{link(session.get_absolute_url(), 'Open it')}"
            ),
        ),
        logged=session,
    )


def _who(rest: list[str], command: str) -> dict:
    if len(rest) != 1:
        raise Refused(f"Name a system or a skill: {command} who postgres-main/restore")
    path = rest[0]
    if "/" not in path:
        return _who_system(path)
    [skill] = _skills(path)
    today = timezone.localdate()
    levels = list(
        CurrentLevel.objects.filter(skill=skill, person__in=Person.objects.active(today))
        .select_related("person")
        .order_by("-level", "person__name", "person__email")
    )
    fresh = [cl for cl in levels if cl.level >= rules.COVER_LEVEL and cl.fresh_until and cl.fresh_until >= today]
    stale = [cl for cl in levels if cl.level >= rules.COVER_LEVEL and cl not in fresh]
    learning = {a.learner for a in Assignment.objects.open().filter(skill=skill).select_related("learner")} | {
        i.person for i in Interest.objects.filter(skill=skill, kind=Interest.Kind.LEARN).select_related("person")
    }
    learning = sorted((p for p in learning if p.is_active and p.departed_on is None), key=lambda p: p.name)

    def names(rows):
        return ", ".join(f"{escape(cl.person)} ({cl.level})" for cl in rows) or "nobody"

    title = f"{skill.system.slug}/{skill.slug}"
    lines = [
        f"*{escape(title)}* — {escape(skill.name)}",
        f"Covered, fresh: {names(fresh)}",
        f"Covered, stale: {names(stale)}",
        f"Learning: {', '.join(escape(p) for p in learning) or 'nobody'}",
    ]
    if len(fresh) + len(stale) <= 1:
        lines.append("⚠ A single point of knowledge, or nobody: plan a transfer.")
    return blocks.message("\n".join(lines).replace("*", ""), blocks.section("\n".join(lines)))


def _who_system(slug: str) -> dict:
    skills = list(Skill.objects.select_related("system").filter(system__slug=slug.lower()).order_by("name"))
    if not skills:
        raise Refused(f"No system {escape(slug[:40])}.")
    today = timezone.localdate()
    covers = {}
    for skill_id, in_fresh in CurrentLevel.objects.filter(
        skill__in=skills, level__gte=rules.COVER_LEVEL, person__in=Person.objects.active(today)
    ).values_list("skill_id", Q(fresh_until__gte=today)):
        count, fresh = covers.get(skill_id, (0, 0))
        covers[skill_id] = (count + 1, fresh + bool(in_fresh))
    lines = [f"*{escape(skills[0].system.name)}*"]
    for skill in skills:
        count, fresh = covers.get(skill.pk, (0, 0))
        lines.append(f"• {escape(skill.slug)}: {count} cover it, {fresh} fresh" + (" ⚠" if count <= 1 else ""))
    return blocks.message("\n".join(lines).replace("*", ""), blocks.section("\n".join(lines)))


def _risk(person: Person, rest: list[str], command: str) -> dict:
    if len(rest) > 1:
        raise Refused(f"Name one team, or none for your own: {command} risk platform")
    team = person.team
    if rest:
        team = Team.objects.filter(slug=rest[0].lower()).first()
        if team is None:
            raise Refused(f"No team {escape(rest[0][:40])}.")
    facts, _ = report_selectors.report_facts(team=team, span=None, levels=False)
    summary = summarise(facts)
    points = [(row, skill) for row in summary.systems for skill in row.skills if skill.single_point][:TOP]
    where = escape(team.name) if team else "the organisation"
    lines = [
        f"*Single points of knowledge in {where}*: {summary.single_points} (uncovered skills: {summary.uncovered})"
    ]
    for row, skill in points:
        holder = skill.holders[0]
        where_ = f"{escape(row.system.slug)}/{escape(skill.skill.slug)}"
        lines.append(f"• {where_} (tier {row.system.tier}): only {blocks.name(holder)}")
    if not points:
        lines.append("None: every skill has two people or more, or nobody.")
    lines.append(link("/reports/" + (f"?team={team.slug}" if team else ""), "The whole report"))
    return blocks.message("\n".join(lines).replace("*", ""), blocks.section("\n".join(lines)))
