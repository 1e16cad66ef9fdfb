from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("workbench/exports/", views.job_list, name="list"),
    path("workbench/exports/<int:pk>/", views.job_detail, name="detail"),
    path("workbench/exports/<int:pk>/download/", views.download, name="download"),
]
