from django.urls import path

from ops_skills.chat import views

app_name = "chat"

urlpatterns = [
    path("", views.chat_page, name="page"),
    path("unlink/", views.chat_unlink, name="unlink"),
]
