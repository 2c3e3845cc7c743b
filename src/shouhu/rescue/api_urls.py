from django.urls import path

from shouhu.rescue import api

urlpatterns = [
    path("patrols/", api.PatrolListApi.as_view(), name="api-rescue-patrol-list"),
    path(
        "patrols/<int:street_patrol_id>/encounters/",
        api.EncounterCreateApi.as_view(),
        name="api-rescue-encounter-create",
    ),
    path("rescued/", api.RescuedListApi.as_view(), name="api-rescue-rescued-list"),
    path("rescued/<int:rescued_id>/", api.RescuedDetailApi.as_view(), name="api-rescue-rescued-detail"),
    path(
        "rescued/<int:rescued_id>/provisions/",
        api.ProvisionCreateApi.as_view(),
        name="api-rescue-provision-create",
    ),
    path("rescued/<int:rescued_id>/match/", api.MatchApi.as_view(), name="api-rescue-match"),
    path(
        "rescued/<int:rescued_id>/return/", api.ReturnArrangeApi.as_view(), name="api-rescue-return-arrange"
    ),
    path(
        "rescued/<int:rescued_id>/assignments/",
        api.AssignmentCreateApi.as_view(),
        name="api-rescue-assignment-create",
    ),
    path("returns/", api.ReturnListApi.as_view(), name="api-rescue-return-list"),
    path(
        "returns/<int:return_trip_id>/depart/", api.ReturnDepartApi.as_view(), name="api-rescue-return-depart"
    ),
    path(
        "returns/<int:return_trip_id>/arrive/", api.ReturnArriveApi.as_view(), name="api-rescue-return-arrive"
    ),
    path("incidents/", api.IncidentListApi.as_view(), name="api-rescue-incident-list"),
    path(
        "incidents/<int:rescue_incident_id>/reports/",
        api.IncidentFollowUpApi.as_view(),
        name="api-rescue-incident-follow-up",
    ),
    path(
        "incidents/<int:rescue_incident_id>/close/",
        api.IncidentCloseApi.as_view(),
        name="api-rescue-incident-close",
    ),
]
