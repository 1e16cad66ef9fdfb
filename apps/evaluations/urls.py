from django.urls import path, register_converter

from . import views, workflow


class RoundStepConverter:
    """Only the names of round steps: an unknown step is a 404, and URLs added below are never swallowed."""

    regex = "|".join(workflow.ROUND_STEPS.routed())

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RoundStepConverter, "round_step")

app_name = "evaluations"

urlpatterns = [
    path("workbench/rounds/", views.round_list, name="round_list"),
    path("workbench/rounds/new/", views.round_create, name="round_create"),
    path("workbench/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("workbench/rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("workbench/rounds/<int:pk>/proposed.xlsx", views.proposed_list_export, name="proposed_list_export"),
    path(
        "workbench/rounds/<int:pk>/recommendations/<int:node_pk>.xlsx", views.recommendation_summary, name="recommendation_summary"
    ),
    path("workbench/rounds/<int:pk>/special/", views.special_recommendation, name="special_recommendation"),
    path("workbench/rounds/<int:pk>/<round_step:name>/", views.round_transition, name="round_transition"),
    path("workbench/objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("workbench/objections/<int:pk>/evidence/", views.objection_evidence, name="objection_evidence"),
    path("workbench/applications/", views.application_queue, name="application_queue"),
    path("workbench/applications/decide/", views.application_bulk, name="application_bulk"),
    path("workbench/applications/export.xlsx", views.application_export, name="application_export"),
    path("workbench/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("workbench/applications/<int:pk>/recommend/", views.application_recommend, name="application_recommend"),
    path("workbench/applications/<int:pk>/send-back/", views.application_send_back, name="application_send_back"),
    path("workbench/applications/<int:pk>/assign/", views.application_assign, name="application_assign"),
    path("workbench/applications/<int:pk>/inspection/", views.application_inspection, name="application_inspection"),
    path("workbench/inspections/", views.inspection_list, name="inspection_list"),
    path("workbench/inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("workbench/inspections/<int:pk>/<slug:name>/", views.inspection_transition, name="inspection_transition"),
    path("workbench/reviews/", views.review_list, name="review_list"),
    path("workbench/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("my/rounds/<int:round_pk>/apply/<int:collective_pk>/", views.apply, name="apply"),
    path("my/rounds/<int:round_pk>/register/<int:collective_pk>/", views.register_for_round, name="register_for_round"),
    path("my/applications/<int:pk>/", views.my_application, name="my_application"),
    path("my/applications/<int:pk>/edit/", views.edit_application, name="edit_application"),
    path("my/applications/<int:pk>/attachments/<int:attachment_pk>/delete/", views.delete_attachment, name="delete_attachment"),
    path("applications/<int:pk>/form.pdf", views.application_form, name="application_form"),
    path("applications/<int:pk>/attachments/<int:attachment_pk>/", views.download_attachment, name="attachment"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("honors/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("rounds/<int:pk>/named.pdf", views.named_list, {"fmt": "pdf"}, name="named_list_pdf"),
    path("rounds/<int:pk>/named.xlsx", views.named_list, {"fmt": "xlsx"}, name="named_list_xlsx"),
]
