from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.notice, name="notice"),
    path("my/privacy/", views.my_data, name="my_data"),
    path("my/privacy/data.json", views.download_json, name="download_json"),
    path("my/privacy/data.xlsx", views.download_xlsx, name="download_xlsx"),
    path("my/privacy/delete/", views.request_deletion, name="request_deletion"),
    path("workbench/privacy/", views.queue, name="queue"),
    path("workbench/privacy/<int:pk>/", views.detail, name="detail"),
    path("workbench/privacy/<int:pk>/<str:name>/", views.step, name="step"),
]
