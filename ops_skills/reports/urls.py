from django.urls import path

from ops_skills.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("systems/<slug:slug>/", views.system_detail, name="system"),
    path("islands/", views.islands, name="islands"),
    path("what-if/", views.what_if_page, name="what-if"),
    path("what-if/people/", views.people_search, name="people-search"),
    path("trend/", views.trend, name="trend"),
    path("export.json", views.export_json, name="export-json"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("absences/", views.absences, name="absences"),
    path("absences/new/", views.absence_create, name="absence-create"),
    path("absences/<int:pk>/delete/", views.absence_delete, name="absence-delete"),
]
