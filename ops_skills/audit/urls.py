from django.urls import path

from ops_skills.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="list"),
]
