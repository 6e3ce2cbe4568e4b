"""Keep the stored current levels in step with assessments (see ``skills.levels``)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from ops_skills.skills import levels
from ops_skills.skills.models import Assessment, CurrentLevel, Skill


@receiver(pre_save, sender=Assessment, dispatch_uid="current_level_assessment_saving")
def assessment_before_save(sender, instance: Assessment, raw=False, **kwargs) -> None:
    # Assessments are never edited by the app; the admin can, even to another person or skill.
    instance._pair_before = None
    if not raw and not instance._state.adding:
        instance._pair_before = Assessment.objects.filter(pk=instance.pk).values_list("person_id", "skill_id").first()


@receiver(post_save, sender=Assessment, dispatch_uid="current_level_assessment_saved")
def assessment_saved(sender, instance: Assessment, raw=False, **kwargs) -> None:
    if raw:
        return
    pair = (instance.person_id, instance.skill_id)
    before = getattr(instance, "_pair_before", None)
    if before is not None and before != pair:
        levels.refresh([before[0]], [before[1]])
    levels.refresh([pair[0]], [pair[1]])


@receiver(post_delete, sender=Assessment, dispatch_uid="current_level_assessment_deleted")
def assessment_deleted(sender, instance: Assessment, origin=None, **kwargs) -> None:
    # Deleted along with its person or skill (or the skill's system): their stored levels go
    # with them, and refreshing now would write a row for something being deleted.
    if deleted_for_itself(origin, Assessment):
        levels.refresh([instance.person_id], [instance.skill_id])


@receiver(pre_save, sender=Skill, dispatch_uid="current_level_skill_before")
def skill_before_save(sender, instance: Skill, raw=False, update_fields=None, **kwargs) -> None:
    instance._freshness_before = None
    if raw or instance._state.adding or (update_fields is not None and "freshness_days" not in update_fields):
        return
    instance._freshness_before = Skill.objects.filter(pk=instance.pk).values_list("freshness_days", flat=True).first()


@receiver(post_save, sender=Skill, dispatch_uid="current_level_skill_after")
def skill_after_save(sender, instance: Skill, **kwargs) -> None:
    """A new freshness window moves the day each stored practice stops keeping a cover fresh."""
    before = getattr(instance, "_freshness_before", None)
    instance._freshness_before = None
    if before is not None and before != instance.freshness_days:
        practised = CurrentLevel.objects.filter(skill=instance, practised_at__isnull=False)
        levels.refresh(practised.values_list("person_id", flat=True), [instance.pk])


def deleted_for_itself(origin, model) -> bool:
    """Whether a delete started from ``model`` itself (an instance or a queryset of it) rather
    than cascading from something else."""
    return isinstance(origin, model) or getattr(origin, "model", None) is model


def fill_after_migrate(sender, using="default", apps=None, **kwargs) -> None:
    """An existing database that gains the table gets its levels at once, rather than empty
    reports until the nightly recompute. Connected in ``SkillsConfig.ready``."""
    if using != "default":
        return
    if apps is not None:
        try:
            apps.get_model("skills", "CurrentLevel")
        except LookupError:
            return  # migrated back to before the table
    if not CurrentLevel.objects.exists():
        levels.recompute_all()
