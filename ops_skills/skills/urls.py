from django.urls import path

from ops_skills.skills import views

app_name = "skills"
urlpatterns = [
    path("systems/", views.system_list, name="systems"),
    path("systems/<slug:slug>/", views.system_detail, name="system"),
    path("systems/<slug:slug>/<slug:skill_slug>/", views.skill_detail, name="skill"),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix/cell/<int:person_id>/<int:skill_id>/", views.matrix_cell, name="matrix-cell"),
    path("matrix/import/", views.matrix_import, name="matrix-import"),
    path("matrix/export.csv", views.matrix_export, name="matrix-export"),
]
