from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("ops_skills.people.urls")),
    path("", include("ops_skills.skills.urls")),
    path("", include("ops_skills.evidence.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
