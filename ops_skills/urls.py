from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("ops_skills.people.urls")),
    path("", include("ops_skills.skills.urls")),
    path("", include("ops_skills.evidence.urls")),
    path("reports/", include("ops_skills.reports.urls")),
    path("plan/", include("ops_skills.planner.urls")),
    path("onboarding/", include("ops_skills.onboarding.urls")),
    path("api/", include("ops_skills.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
