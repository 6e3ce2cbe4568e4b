"""App Home: a person's levels, assignments and what waits for their decision."""

from __future__ import annotations

from django.utils import timezone

from ops_skills.chat.blocks import escape, link, section
from ops_skills.evidence.selectors import waiting_for
from ops_skills.levels.models import CurrentLevel
from ops_skills.planner.models import Assignment

SHOWN = 15


def view(person) -> dict:
    if person is None:
        body = [
            section(
                "*ops-skills does not know who you are yet.* No active person has your Slack email: "
                "open your chat page in ops-skills and link yourself with the code it gives you."
            )
        ]
        return {"type": "home", "blocks": body}
    today = timezone.localdate()
    levels = list(
        CurrentLevel.objects.filter(person=person)
        .select_related("skill__system")
        .order_by("-level", "skill__system__slug", "skill__slug")[:SHOWN]
    )
    assignments = list(
        Assignment.objects.open()
        .involving(person)
        .select_related("skill__system", "mentor", "learner")
        .order_by("due_on", "pk")[:SHOWN]
    )
    sessions, executions = waiting_for(person)
    waiting = sessions.count() + executions.count()

    def level_line(cl):
        fresh = "fresh" if cl.fresh_until and cl.fresh_until >= today else "stale"
        return f"• {escape(cl.skill.system.slug)}/{escape(cl.skill.slug)}: {cl.level} ({fresh})"

    def assignment_line(a):
        role = f"teach {escape(a.learner)}" if a.mentor_id == person.pk else f"learn from {escape(a.mentor)}"
        late = " — *overdue*" if a.due_on < today else ""
        return f"• {escape(a.skill.system.slug)}/{escape(a.skill.slug)}: {role} by {a.due_on:%d %b}{late}"

    body = [
        section(f"*Hello {escape(person.name or person.email)}* — {link('/', 'open ops-skills')}"),
        section(
            f"*Waiting for your decision*: {waiting} "
            + (link("/evidence/?show=to-confirm", "confirm or dispute them") if waiting else "— nothing")
        ),
        section("*Your assignments*\n" + ("\n".join(map(assignment_line, assignments)) or "None open.")),
        section("*Your levels* (highest first)\n" + ("\n".join(map(level_line, levels)) or "No levels yet.")),
    ]
    return {"type": "home", "blocks": body}
