from django.urls import path

from . import views

app_name = "rechecks"

urlpatterns = [
    path("workbench/rechecks/", views.recheck_list, name="list"),
    path("workbench/rechecks/new/", views.recheck_create, name="create"),
    path("workbench/rechecks/<int:pk>/", views.recheck_detail, name="detail"),
    path("workbench/rechecks/<int:pk>/export.xlsx", views.recheck_export, name="export"),
    path("workbench/rechecks/<int:pk>/close/", views.close, name="close"),
    path("workbench/recheck-items/<int:item_pk>/decide/", views.decide, name="decide"),
    path("workbench/recheck-items/<int:item_pk>/confirm/", views.confirm, name="confirm"),
    path("workbench/honors/<int:honor_pk>/revoke/", views.revoke, name="revoke"),
    path("my/rechecks/<int:item_pk>/", views.my_item, name="my_item"),
]
