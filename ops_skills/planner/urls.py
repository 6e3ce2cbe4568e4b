from django.urls import path

from ops_skills.planner import views

app_name = "planner"
urlpatterns = [
    path("", views.plan_page, name="plan"),
    path("accept/", views.plan_accept, name="accept"),
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/<int:pk>/cancel/", views.assignment_cancel, name="cancel"),
    path("mine/", views.my_assignment_list, name="mine"),
    path("interest/<int:person_id>/<int:skill_id>/", views.interest_cell, name="interest-cell"),
    path("interest/", views.interest_toggle, name="interest-toggle"),
    path("people/<int:person_id>/interests/", views.person_interests, name="person-interests"),
]
