from django.urls import path

from shouhu.rescue import views

app_name = "rescue"

urlpatterns = [
    path("", views.home, name="home"),
    path("stations/<int:rescue_station_id>/", views.station, name="station"),
    path("stations/<int:rescue_station_id>/patrols/new/", views.patrol_create, name="patrol_create"),
    path("stations/<int:rescue_station_id>/rescued/new/", views.rescued_create, name="rescued_create"),
    path("stations/<int:rescue_station_id>/incidents/new/", views.incident_create, name="incident_create"),
    path("patrols/", views.patrol_list, name="patrol_list"),
    path("patrols/<int:street_patrol_id>/", views.patrol_detail, name="patrol_detail"),
    path("patrols/<int:street_patrol_id>/encounters/", views.encounter_add, name="encounter_add"),
    path("rescued/", views.rescued_list, name="rescued_list"),
    path("rescued/<int:rescued_id>/", views.rescued_detail, name="rescued_detail"),
    path("rescued/<int:rescued_id>/provisions/", views.provision_add, name="provision_add"),
    path("rescued/<int:rescued_id>/guidance/", views.guidance_add, name="guidance_add"),
    path("rescued/<int:rescued_id>/match/", views.rescued_match, name="rescued_match"),
    path("rescued/<int:rescued_id>/screening/", views.rescued_screen, name="rescued_screen"),
    path("rescued/<int:rescued_id>/leave/", views.rescued_leave, name="rescued_leave"),
    path("rescued/<int:rescued_id>/return/", views.return_arrange, name="return_arrange"),
    path("rescued/<int:rescued_id>/assignments/", views.assignment_add, name="assignment_add"),
    path("returns/", views.return_list, name="return_list"),
    path("returns/<int:return_trip_id>/depart/", views.return_depart, name="return_depart"),
    path("returns/<int:return_trip_id>/arrive/", views.return_arrive, name="return_arrive"),
    path("returns/<int:return_trip_id>/cancel/", views.return_cancel, name="return_cancel"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/<int:rescue_incident_id>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:rescue_incident_id>/reports/", views.incident_follow_up, name="incident_follow_up"),
    path("incidents/<int:rescue_incident_id>/close/", views.incident_close, name="incident_close"),
]
