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
    path("workbench/honors/<int:honor_pk>/stars/", views.adjust_star, name="adjust_star"),
    path("workbench/collectives/<int:collective_pk>/rectify/", views.order_rectification, name="rectify"),
    path("workbench/rectifications/", views.rectifications, name="rectifications"),
    path("workbench/rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path("workbench/rectifications/<int:pk>/accept/", views.rectification_decision, {"accept": True}, name="accept_rectification"),
    path("workbench/rectifications/<int:pk>/reject/", views.rectification_decision, {"accept": False}, name="reject_rectification"),
    path("workbench/rectification-reports/<int:report_pk>/evidence/", views.report_evidence, name="report_evidence"),
    path("workbench/revocation-proposals/", views.proposals, name="proposals"),
    path("workbench/revocation-proposals/bulk/", views.proposals_bulk, name="proposals_bulk"),
    path("workbench/revocation-proposals/<int:proposal_pk>/keep/", views.keep_title, name="keep_title"),
    path("my/rechecks/<int:item_pk>/", views.my_item, name="my_item"),
    path("my/rectifications/<int:pk>/", views.my_rectification, name="my_rectification"),
]
