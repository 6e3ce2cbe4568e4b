"""The planner's safeguards: who is left out of a plan as a mentor or as a learner, and why.

A plan is for a week (the current one unless the lead picks another), and proposes pairings that
people are there to do and able to act on:

- someone **away** that week — on most of its working days, the rule the reports use
  (``reports.away``) — is neither mentor nor learner; a day of training is no reason to leave
  them out;
- someone whose **onboarding** is not finished is not a mentor: a new hire is not sent to teach
  a senior, least of all on another team (the plan cannot restrict whom a mentor teaches and stay
  optimal, so it leaves them out as mentors altogether until their checklist is done);
- someone who **cannot log in yet** — an account disabled, or never used and without a password
  (created by a matrix import, invitation not accepted) — is not a learner: they could neither
  see the assignment nor log the session;
- an **admin on no team** is not a learner: they run the tool, not the systems.

They still count as covering what they cover: the safeguards change who pairs, not the numbers.
Nothing here imports Django: ``selectors.plan_data`` loads the facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from ops_skills.reports.away import Away, span_text


@dataclass(frozen=True, slots=True)
class PersonStatus:
    id: int
    team_id: int | None
    is_admin: bool
    is_active: bool  # Django's "can log in" flag (not the same as not departed)
    has_logged_in: bool  # a usable password, or a login already (single sign-on needs none)
    in_onboarding: bool  # has an onboarding checklist that is not finished


@dataclass(frozen=True, slots=True)
class LeftOut:
    person_id: int
    as_mentor: bool
    as_learner: bool
    reasons: tuple[str, ...]

    @property
    def roles(self) -> str:
        if self.as_mentor and self.as_learner:
            return "neither mentor nor learner"
        return "not a mentor" if self.as_mentor else "not a learner"


def left_out(status: PersonStatus, away: Away | None = None) -> LeftOut | None:
    """Why ``status``'s person is left out of a plan, and as what; None when they are not."""
    mentor = learner = False
    reasons = []
    if away is not None and away.counts:
        mentor = learner = True
        spans = ", ".join(span_text(a, b) for a, b in away.spans)
        reasons.append(f"away {spans} ({away.share} of the week)")
    if status.in_onboarding:
        mentor = True
        reasons.append("still in onboarding")
    if not status.is_active:
        learner = True
        reasons.append("account disabled")
    elif not status.has_logged_in:
        learner = True
        reasons.append("has never logged in (invite them)")
    if status.is_admin and status.team_id is None:
        learner = True
        reasons.append("admin on no team")
    if not reasons:
        return None
    return LeftOut(status.id, mentor, learner, tuple(reasons))
