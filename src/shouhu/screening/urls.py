from django.urls import path

from shouhu.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.desk_home, name="desk_home"),
    path("desk/<int:institution_id>/", views.desk, name="desk"),
    path("desk/<int:institution_id>/find/", views.desk_find, name="desk_find"),
    path("desk/<int:institution_id>/visitor/", views.check_visitor, name="check_visitor"),
    path("desk/<int:institution_id>/people/<int:person_id>/", views.check_person, name="check_person"),
    path("desk/<int:institution_id>/pending/", views.pending_list, name="pending"),
    path("records/", views.record_list, name="record_list"),
    path("records/daily/", views.daily_counts, name="daily_counts"),
    path("records/<int:screening_id>/", views.record_detail, name="record_detail"),
    path("records/<int:screening_id>/confirm/", views.confirm, name="confirm"),
    path("risk-areas/", views.risk_area_list, name="risk_area_list"),
    path("risk-areas/new/", views.risk_area_create, name="risk_area_create"),
    path("risk-areas/<int:risk_area_id>/", views.risk_area_detail, name="risk_area_detail"),
    path("risk-areas/<int:risk_area_id>/end/", views.risk_area_end, name="risk_area_end"),
    path("risk-areas/<int:risk_area_id>/level/", views.risk_area_level, name="risk_area_level"),
    path("isolations/", views.isolation_list, name="isolation_list"),
    path("isolations/new/", views.isolation_new, name="isolation_new"),
    path("isolations/new/<int:person_id>/", views.isolation_create, name="isolation_create"),
    path("isolations/<int:isolation_id>/", views.isolation_detail, name="isolation_detail"),
    path("isolations/<int:isolation_id>/end/", views.isolation_end, name="isolation_end"),
    path("isolations/<int:isolation_id>/confirm/", views.isolation_confirm, name="isolation_confirm"),
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/<int:institution_id>/poster/", views.venue_poster, name="venue_poster"),
    path("venues/<int:institution_id>/qr.svg", views.venue_qr, name="venue_qr"),
    path("venues/<int:institution_id>/rotate/", views.venue_rotate, name="venue_rotate"),
]
