"""Writes of assessments, each refreshing the stored levels it changes in its own transaction."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ops_skills.levels import store
from ops_skills.people import permissions
from ops_skills.people.models import Person
from ops_skills.skills.models import Assessment, Skill


@transaction.atomic
def assessment_record(*, author: Person, person: Person, skill: Skill, level: int, note: str = "") -> Assessment:
    """Record a level for ``person`` in ``skill``: a lead assessment when the author manages the
    person, a self assessment when it is their own. Anyone else is refused. Refreshes the stored
    level of that one cell."""
    if author.pk == person.pk:
        # Nobody is their own lead: what you say of yourself is a self assessment.
        source = Assessment.Source.SELF
    elif permissions.can_manage(author, person):
        source = Assessment.Source.LEAD
    else:
        raise PermissionDenied("You can only set your own level, or levels of people on a team you lead.")
    if not 0 <= level <= 4:
        raise ValueError("Levels go from 0 to 4")
    assessment = Assessment.objects.create(
        person=person, skill=skill, level=level, source=source, author=author, note=note, assessed_at=timezone.now()
    )
    store.refresh([person.pk], [skill.pk])
    return assessment
