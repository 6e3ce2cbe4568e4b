"""Which evidence role each participant of a runbook execution or pairing session plays.

Plain functions, no Django. The level floor each role gives is in ``ops_skills.levels.rules``.
"""

PRODUCTION, STAGING = "production", "staging"
SUCCESS = "success"

# Evidence roles.
PRODUCTION_PERFORMER = "production_performer"  # performed a runbook in production, successfully
MENTOR = "mentor"  # mentor (or driver) in a pairing session
HANDS_ON = "hands_on"  # learner in a pairing session, or performed a runbook in staging
OBSERVER = "observer"  # was there and watched


def execution_role(*, environment: str, outcome: str, performed: bool) -> str:
    """The performer of a successful production execution is independent; a performer of
    anything else (staging, or a production run that failed or was aborted) worked hands-on;
    the others present observed."""
    if not performed:
        return OBSERVER
    if environment == PRODUCTION and outcome == SUCCESS:
        return PRODUCTION_PERFORMER
    return HANDS_ON


def pairing_role(*, mentor: bool) -> str:
    return MENTOR if mentor else HANDS_ON


# Watching is not practising: an observer's presence does not keep a cover fresh.
PRACTICE_ROLES = frozenset({PRODUCTION_PERFORMER, MENTOR, HANDS_ON})


def needs_second_person(*, environment: str, participant_count: int) -> bool:
    """Production work is done by two people or more; a production execution by one is flagged."""
    return environment == PRODUCTION and participant_count == 0
