from django.urls import path

from shouhu.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.finding_list, name="finding_list"),
    path("<int:finding_id>/", views.finding_detail, name="finding_detail"),
    path(
        "<int:finding_id>/evidence/<int:evidence_id>/",
        views.finding_evidence,
        name="finding_evidence",
    ),
]
