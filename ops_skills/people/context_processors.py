from django.conf import settings


def viewer(request):
    return {"SITE_NAME": settings.SITE_NAME}
