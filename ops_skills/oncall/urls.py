from django.urls import path

from ops_skills.oncall import views

app_name = "oncall"
urlpatterns = [
    path("", views.oncall_index, name="index"),
    path("home-panel/", views.home_panel, name="home-panel"),
    path("<slug:slug>/", views.rota, name="rota"),
    path("<slug:slug>/shadow/", views.shadow_accept, name="shadow-accept"),
    path("<slug:slug>/critical/", views.critical_skills, name="critical"),
    path("<slug:slug>/schedules/new/", views.schedule_create, name="schedule-create"),
    path("<slug:slug>/schedules/<int:pk>/edit/", views.schedule_edit, name="schedule-edit"),
    path("<slug:slug>/schedules/<int:pk>/delete/", views.schedule_delete, name="schedule-delete"),
    path("<slug:slug>/schedules/<int:pk>/fetch/", views.schedule_fetch, name="schedule-fetch"),
]
