from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("posts/<int:pk>/complain/", views.complain, name="complain"),
    path("complaints/", views.track_lookup, name="track_lookup"),
    path("complaints/<str:code>/", views.track, name="track"),
    path("workbench/complaints/", views.queue, name="queue"),
    path("workbench/complaints/decide/", views.queue_bulk, name="queue_bulk"),
    path("workbench/complaints/export.xlsx", views.queue_export, name="queue_export"),
    path("workbench/warnings/export.xlsx", views.warning_export, name="warning_export"),
    path("workbench/complaints/<int:pk>/", views.detail, name="detail"),
    path("workbench/complaints/<int:pk>/evidence.jpg", views.evidence, name="evidence"),
    path("workbench/complaints/<int:pk>/<str:name>/", views.step, name="step"),
    path("workbench/collectives/<int:collective_pk>/warn/", views.warn, name="warn"),
    path("workbench/warnings/<int:warning_pk>/lift/", views.lift, name="lift"),
    path("my/complaints/<int:pk>/", views.my_complaint, name="my_complaint"),
]
