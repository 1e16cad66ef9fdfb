from django.urls import path

from . import views

app_name = "workbench"

urlpatterns = [
    path("workbench/", views.todo, name="todo"),
]
