from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("workbench/staff/", views.staff_list, name="staff_list"),
    path("workbench/staff/add/", views.add, name="staff_add"),
    path("workbench/staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("workbench/staff/<int:pk>/role/", views.step, {"name": "role"}, name="staff_change_role"),
    path("workbench/staff/<int:pk>/end/", views.step, {"name": "end"}, name="staff_end"),
    path("workbench/staff/<int:pk>/invitation/", views.step, {"name": "invitation"}, name="staff_reissue"),
    path("workbench/staff/<int:pk>/unlock/", views.step, {"name": "unlock"}, name="staff_unlock"),
]
