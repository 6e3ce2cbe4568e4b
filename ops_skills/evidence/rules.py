"""Which evidence role each participant of a runbook execution or pairing session plays.

Plain functions, no Django: the floors themselves are in ``ops_skills.skills.rules``.
"""

from ops_skills.skills import rules

PRODUCTION, STAGING = "production", "staging"
SUCCESS = "success"


def execution_role(*, environment: str, outcome: str, performed: bool) -> str:
    """The performer of a successful production execution is independent; a performer of
    anything else (staging, or a production run that failed or was aborted) worked hands-on;
    the others present observed."""
    if not performed:
        return rules.OBSERVER
    if environment == PRODUCTION and outcome == SUCCESS:
        return rules.PRODUCTION_PERFORMER
    return rules.HANDS_ON


def pairing_role(*, mentor: bool) -> str:
    return rules.MENTOR if mentor else rules.HANDS_ON


# Watching is not practising: an observer's presence does not keep a cover fresh.
PRACTICE_ROLES = frozenset({rules.PRODUCTION_PERFORMER, rules.MENTOR, rules.HANDS_ON})


def needs_second_person(*, environment: str, participant_count: int) -> bool:
    """Production work is done by two people or more; a production execution by one is flagged."""
    return environment == PRODUCTION and participant_count == 0
