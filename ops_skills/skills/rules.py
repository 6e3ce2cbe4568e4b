"""The level scale of DESIGN.md: what each level means, and the level that covers a skill.

How a current level is worked out from assessments and evidence is in ``ops_skills.levels.rules``.
"""

NONE, AWARE, ASSISTED, INDEPENDENT, EXPERT = 0, 1, 2, 3, 4
LEVEL_LABELS = {
    NONE: "none",
    AWARE: "aware",
    ASSISTED: "assisted",
    INDEPENDENT: "independent",
    EXPERT: "expert",
}
LEVEL_HELP = {
    NONE: "no knowledge",
    AWARE: "has read about it or watched it done",
    ASSISTED: "did it with guidance",
    INDEPENDENT: "can do it alone in production",
    EXPERT: "can teach it",
}
SELF_CAP = ASSISTED  # a self assessment alone never makes someone independent
COVER_LEVEL = INDEPENDENT  # an active person at this level or above covers the skill
DEFAULT_FRESHNESS_DAYS = 180
