from django.urls import path

from ops_skills.repos import views

app_name = "repos"
urlpatterns = [
    path("", views.repository_list, name="list"),
    path("new/", views.repository_create, name="create"),
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path("suggestions/<int:pk>/accept/", views.suggestion_accept, name="suggestion-accept"),
    path("suggestions/<int:pk>/dismiss/", views.suggestion_dismiss, name="suggestion-dismiss"),
    path("aliases/", views.alias_list, name="aliases"),
    path("aliases/<int:pk>/delete/", views.alias_delete, name="alias-delete"),
    path("systems/<slug:slug>/panel/", views.system_panel, name="system-panel"),
    path("<slug:slug>/", views.repository_detail, name="detail"),
    path("<slug:slug>/edit/", views.repository_edit, name="edit"),
    path("<slug:slug>/delete/", views.repository_delete, name="delete"),
    path("<slug:slug>/read/", views.repository_read, name="read"),
]
