from django.urls import path

from . import views

app_name = "collectives"

urlpatterns = [
    path("my/", views.my_workspace, name="my"),
    path("my/collectives/new/", views.create_collective, name="create"),
    path("my/collectives/<int:pk>/", views.my_collective, name="my_collective"),
    path("my/collectives/<int:pk>/edit/", views.edit_collective, name="edit"),
    path("my/collectives/<int:pk>/members/", views.members, name="members"),
    path("my/collectives/<int:pk>/members/template.xlsx", views.members_template, name="members_template"),
    path("my/collectives/<int:pk>/submit/", views.submit_collective, name="submit"),
    path("my/collectives/<int:pk>/dissolve/", views.my_dissolve, name="my_dissolve"),
    path("workbench/registrations/", views.staff_queue, name="staff_queue"),
    path("workbench/registrations/decide/", views.staff_queue_bulk, name="staff_queue_bulk"),
    path("workbench/registrations/export.xlsx", views.staff_queue_export, name="staff_queue_export"),
    path("workbench/registrations/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("workbench/registrations/<int:pk>/approve/", views.staff_transition, {"name": "approve"}, name="staff_approve"),
    path("workbench/registrations/<int:pk>/return/", views.staff_transition, {"name": "return"}, name="staff_return"),
    path("workbench/registrations/<int:pk>/dissolve/", views.staff_dissolve, name="staff_dissolve"),
    path("workbench/changes/", views.change_queue, name="change_queue"),
    path("workbench/changes/decide/", views.change_queue_bulk, name="change_queue_bulk"),
    path("workbench/changes/<int:pk>/", views.change_detail, name="change_detail"),
    path("workbench/changes/<int:pk>/approve/", views.change_decide, {"name": "approve"}, name="change_approve"),
    path("workbench/changes/<int:pk>/return/", views.change_decide, {"name": "return"}, name="change_return"),
    path("posts/<int:pk>/", views.public_page, name="public_page"),
]
