from django.urls import path

from ops_skills.onboarding import views

app_name = "onboarding"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("templates/new/", views.template_create, name="template-create"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/copy/", views.template_copy, name="template-copy"),
    path("templates/<int:pk>/apply/", views.template_apply, name="template-apply"),
    path("templates/<int:pk>/items/new/", views.item_create, name="item-create"),
    path("templates/<int:pk>/items/<int:item_pk>/", views.item_edit, name="item-edit"),
    path("templates/<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item-delete"),
    path("start/<int:person_pk>/", views.start, name="start"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist"),
    path("checklists/<int:pk>/summary/", views.checklist_summary, name="summary"),
    path("checklists/<int:pk>/apply/", views.checklist_apply, name="checklist-apply"),
    path("checklists/<int:pk>/items/<int:item_pk>/tick/", views.item_tick, name="item-tick"),
    path("checklists/<int:pk>/items/<int:item_pk>/untick/", views.item_untick, name="item-untick"),
]
