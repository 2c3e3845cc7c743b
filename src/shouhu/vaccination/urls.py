from django.urls import path

from shouhu.vaccination import views

app_name = "vaccination"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("todo/", views.todo, name="todo"),
    path("doses/", views.dose_list, name="dose_list"),
    path("doses/<int:dose_id>/revoke/", views.dose_revoke, name="dose_revoke"),
    path("people/<int:person_id>/", views.person_record, name="person_record"),
    path("people/<int:person_id>/doses/new/", views.dose_create, name="dose_create"),
    path(
        "people/<int:person_id>/contraindications/new/",
        views.contraindication_create,
        name="contraindication_create",
    ),
    path("people/<int:person_id>/deferrals/new/", views.deferral_create, name="deferral_create"),
    path("people/<int:person_id>/mobiliser/", views.mobiliser_assign, name="mobiliser_assign"),
    path("people/<int:person_id>/contacts/new/", views.contact_create, name="contact_create"),
    path(
        "contraindications/<int:contraindication_id>/lift/",
        views.contraindication_lift,
        name="contraindication_lift",
    ),
    path("deferrals/<int:deferral_id>/end/", views.deferral_end, name="deferral_end"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("region/", views.region_view, name="region"),
    path("region/circular/", views.circular, name="circular"),
]
