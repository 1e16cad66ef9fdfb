from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("my/collectives/<int:pk>/reports/", views.my_reports, name="my_reports"),
    path("my/collectives/<int:pk>/reports/new/", views.report_create, name="report_create"),
    path("my/collectives/<int:pk>/reports/service-records.xlsx", views.service_records, name="service_records"),
    path("my/collectives/<int:pk>/reports/<int:report_pk>/edit/", views.report_edit, name="report_edit"),
    path("my/collectives/<int:pk>/reports/<int:report_pk>/photos/<int:photo_pk>/delete/", views.photo_delete, name="photo_delete"),
    path("my/collectives/<int:pk>/reporters/", views.authorise, name="authorise"),
    path("my/collectives/<int:pk>/reporters/<int:authorisation_pk>/delete/", views.revoke_authorisation, name="revoke_authorisation"),
    path("my/collectives/<int:pk>/summary/<int:year>/", views.annual_summary, name="annual_summary"),
    path("workbench/campaigns/", views.campaign_list, name="campaign_list"),
    path("workbench/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("workbench/campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("workbench/campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign_remind"),
    path("workbench/campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
    path("workbench/activities/", views.rollup, name="rollup"),
    path("workbench/activities/points/", views.points_rule, name="points_rule"),
    path("workbench/reports/", views.staff_reports, name="staff_reports"),
    path("workbench/reports/<int:report_pk>/", views.staff_report, name="staff_report"),
    path("workbench/reports/<int:report_pk>/flag/", views.staff_flag, name="staff_flag"),
    path("workbench/reports/<int:report_pk>/hours/<str:step>/", views.staff_hours_step, name="staff_hours_step"),
    path("workbench/summaries/", views.summaries, name="summaries"),
    path("posts/<int:pk>/reports/<int:report_pk>/", views.public_report, name="public_report"),
    path("photos/<int:photo_pk>/thumb.jpg", views.photo, {"variant": "thumb"}, name="photo_thumb"),
    path("photos/<int:photo_pk>/full.jpg", views.photo, {"variant": "full"}, name="photo_full"),
]
