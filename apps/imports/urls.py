from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("workbench/imports/", views.job_list, name="list"),
    path("workbench/imports/template/<slug:kind>.xlsx", views.template, name="template"),
    path("workbench/imports/<int:pk>/", views.job_detail, name="detail"),
    path("workbench/imports/<int:pk>/status/", views.job_status, name="status"),
    path("workbench/imports/<int:pk>/confirm/", views.job_confirm, name="confirm"),
    path("workbench/imports/<int:pk>/rejected.xlsx", views.rejected_rows, name="rejected"),
    path("workbench/imports/<int:pk>/accounts.xlsx", views.invited_accounts, name="accounts"),
]
