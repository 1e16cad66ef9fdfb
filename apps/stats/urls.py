from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("stats/", views.public, name="public"),
    path("workbench/stats/", views.workbench, name="workbench"),
]
