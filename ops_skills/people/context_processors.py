from django.conf import settings
from django.utils.functional import SimpleLazyObject

from ops_skills.people.models import Notice


def viewer(request):
    context = {"SITE_NAME": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: one query, and only on pages that show the count.
        context["unread_notices"] = SimpleLazyObject(
            lambda: Notice.objects.filter(person=user, read_at__isnull=True).count()
        )
    return context
