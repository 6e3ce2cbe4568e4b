"""Loads the plain facts the reports are computed from, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, StringAgg, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from ops_skills.levels.models import CurrentLevel
from ops_skills.levels.selectors import fresh_on, plain_rows
from ops_skills.people import permissions
from ops_skills.people.models import Person, Team
from ops_skills.reports import away
from ops_skills.reports.coverage import OrgFacts, PersonFacts, SkillFacts, SystemFacts
from ops_skills.skills import rules
from ops_skills.skills.models import Skill, System


def org_facts(*, today: date | None = None, team: Team | None = None, levels: bool = True) -> OrgFacts:
    """Active people (as of ``today``), systems and skills (of ``team`` only, when given) with
    each skill's holders and fresh holders. Covers count across teams: someone on another team
    who can do it covers it. ``levels``: also every level below a cover, which the planner and
    the what-if's transfers need and the report itself does not (six times fewer rows without,
    and grouped by the database: see ``_covers``).
    Four queries: people, systems, skills, and their stored current levels."""
    today = today or timezone.localdate()
    people = {
        pk: PersonFacts(pk, email, name, team_id)
        for pk, email, name, team_id in Person.objects.active(today).values_list("pk", "email", "name", "team_id")
    }
    systems_qs = System.objects.order_by("name")
    skills_qs = Skill.objects.order_by("system__name", "name")
    if team is not None:
        systems_qs = systems_qs.filter(team=team)
        skills_qs = skills_qs.filter(system__team=team)
    systems = {
        pk: SystemFacts(pk, name, slug, team_id, tier)
        for pk, name, slug, team_id, tier in systems_qs.values_list("pk", "name", "slug", "team_id", "tier")
    }
    skill_rows = list(skills_qs.values_list("pk", "system_id", "name", "slug"))
    # The stored current levels (see ``levels.store``), each cover's freshness decided by the
    # database: a read of plain integers, not a recomputation.
    stored = CurrentLevel.objects.order_by()
    if team is not None:
        stored = stored.filter(skill_id__in=skills_qs.order_by().values("pk"))
    known = {row[0] for row in skill_rows}
    if levels:
        holders, fresh, active_levels = _levels(stored, people, known, today)
    else:
        (holders, fresh), active_levels = _covers(stored, people, known, today), {}
    nobody = frozenset()
    skills = tuple(
        SkillFacts(pk, system_id, name, slug, holders.get(pk, nobody), fresh.get(pk, nobody))
        for pk, system_id, name, slug in skill_rows
    )
    return OrgFacts(people=people, systems=systems, skills=skills, levels=active_levels)


Covers = dict[int, frozenset[int]]  # skill id -> people


def _levels(stored, people, known, today: date) -> tuple[Covers, Covers, dict[tuple[int, int], int]]:
    """Every stored level of ``people`` in the ``known`` skills, and from them each skill's holders
    and fresh holders. A loop over every level (350,000 on the large organisation): lists, each
    pair coming once, and no lookups it can do without."""
    holders: defaultdict[int, list[int]] = defaultdict(list)
    fresh: defaultdict[int, list[int]] = defaultdict(list)
    active_levels = {}
    cover = rules.COVER_LEVEL
    rows = stored.annotate(fresh=fresh_on(today)).values_list("person_id", "skill_id", "level", "fresh")
    for person_id, skill_id, level, is_fresh in plain_rows(rows):
        if person_id in people and skill_id in known:
            active_levels[person_id, skill_id] = level
            if level >= cover:
                holders[skill_id].append(person_id)
                if is_fresh:
                    fresh[skill_id].append(person_id)
    return (
        {pk: frozenset(ids) for pk, ids in holders.items()},
        {pk: frozenset(ids) for pk, ids in fresh.items()},
        active_levels,
    )


# What ``_covers`` made of each list of ids it read, by the list's text: the same text is the same
# people, so a report asked for again parses only the lists that changed (and its sets, the same
# objects as before, keep their hashes for the truck factor's cache). Emptied past a bound.
_PARSED: dict[str, tuple[frozenset[int], frozenset[int]]] = {}
PARSED_LIMIT = 20_000  # lists: 4 times the skills of the large organisation (some 25 MB)


def _parse(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """The holders in a list, and those whose cover is fresh (positive): "4,-7,9" gives
    ({4, 7, 9}, {4, 9})."""
    found = _PARSED.get(text)
    if found is None:
        if len(_PARSED) >= PARSED_LIMIT:
            _PARSED.clear()
        signed = [int(pk) for pk in text.split(",")]
        found = _PARSED[text] = (frozenset(map(abs, signed)), frozenset(pk for pk in signed if pk > 0))
    return found


def _covers(stored, people, known, today: date) -> tuple[Covers, Covers]:
    """Each ``known`` skill's holders and fresh holders among ``people``, grouped by the database:
    a row per level (3, 4) and skill listing its people's ids as text, negative when the cover is
    stale, instead of a row per cover (55,000 on the large organisation). Grouped by level then
    skill, the order of the covers index, SQLite reads that index alone and sorts nothing.
    The same sets as ``_levels`` finds."""
    # Fresh: the test of ``levels.selectors.fresh_on``.
    signed = Case(When(fresh_until__gte=today, then=F("person_id")), default=-F("person_id"))
    rows = (
        stored.filter(level__gte=rules.COVER_LEVEL)
        .values("level", "skill_id")
        .annotate(people=StringAgg(Cast(signed, output_field=TextField()), Value(",")))
        .values_list("skill_id", "people")
    )
    # A skill's two lists (levels 3 and 4) joined into one text: one set each, and one key.
    texts: dict[int, str] = {}
    for skill_id, text in plain_rows(rows):
        if skill_id in known:
            texts[skill_id] = f"{texts[skill_id]},{text}" if skill_id in texts else text
    active = frozenset(people)
    holders: Covers = {}
    fresh: Covers = {}
    for skill_id, text in texts.items():
        for found, pks in zip((holders, fresh), _parse(text), strict=True):
            if not pks <= active:  # stored levels of people who have left
                pks &= active
            if pks:
                found[skill_id] = pks
    return holders, fresh


def stored_levels(skills: Iterable[int], people: Container[int]) -> dict[tuple[int, int], int]:
    """The stored current level of each of ``people`` in each of ``skills`` (above 0). One query
    (none without skills)."""
    skills = list(skills)
    if not skills:
        return {}
    rows = CurrentLevel.objects.filter(skill_id__in=skills).values_list("person_id", "skill_id", "level")
    return {(person_id, skill_id): level for person_id, skill_id, level in plain_rows(rows) if person_id in people}


def absent_between(first: date, last: date, *, people=None) -> dict[int, list[tuple[date, date]]]:
    """Who is absent on any day from ``first`` to ``last`` (inclusive): person id -> their
    absences' (starts_on, ends_on) overlapping that span. One query."""
    from ops_skills.reports.models import Absence

    qs = Absence.objects.filter(starts_on__lte=last, ends_on__gte=first)
    if people is not None:
        qs = qs.filter(person__in=people)
    found: dict[int, list[tuple[date, date]]] = {}
    for person_id, starts_on, ends_on in qs.values_list("person_id", "starts_on", "ends_on"):
        found.setdefault(person_id, []).append((starts_on, ends_on))
    return found


def report_facts(
    *, today: date | None = None, team: Team | None = None, span: tuple[date, date] | None = None, levels: bool = True
):
    """``org_facts`` as of ``span``'s first day, without the people who count as away in it (away
    on most of its working days, ``away.Away.counts``). Returns (facts, {person id: Away}) for
    everyone away some of it, counted or not. Queries: org_facts + 1."""
    if span is None:
        return org_facts(today=today, team=team, levels=levels), {}
    first, last = span
    facts = org_facts(today=first, team=team, levels=levels)
    absent = absent_between(first, last)
    found = away.away_in({pk: spans for pk, spans in absent.items() if pk in facts.people}, first, last)
    return facts.without(away.counted_away(found)), found


def report_team(viewer, slug: str | None, *, teams: list[Team], what_if: bool = False) -> Team | None:
    """Which team's report ``viewer`` reads (None: the whole organisation), for the web pages, the
    exports and the API alike. ``slug``: None when not asked (their own team, as the matrix
    opens; the organisation for someone on no team), "" for the whole organisation, else a
    team's slug among ``teams``. ``permissions.can_read_report`` decides: members read their own
    team's only (asking for the organisation gives them theirs) and ask no what-if. Raises
    LookupError for an unknown team, PermissionDenied for a report that is not theirs."""
    own = next((t for t in teams if t.pk == viewer.team_id), None)
    if slug is None:
        team = own
    elif slug == "":
        team = None
    else:
        team = next((t for t in teams if t.slug == slug), None)
        if team is None:
            raise LookupError(f"There is no team “{slug}”.")
    if team is None and not permissions.is_lead_or_admin(viewer):
        team = own
        if team is None:
            raise PermissionDenied("You are not on a team, so there is no report for you.")
    if not permissions.can_read_report(viewer, team.pk if team else None, what_if=what_if):
        if what_if:
            raise PermissionDenied("Only leads and admins ask what would happen if people left.")
        raise PermissionDenied("Members see the report for their own team only.")
    return team
