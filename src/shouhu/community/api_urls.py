from django.urls import path

from shouhu.community import api

urlpatterns = [
    path("villages/", api.VillageListApi.as_view(), name="api-community-village-list"),
    path("roster/", api.RosterListApi.as_view(), name="api-community-roster-list"),
    path("villages/<int:village_id>/roster/", api.RosterAddApi.as_view(), name="api-community-roster-add"),
    path(
        "villages/<int:village_id>/emergency/start/",
        api.EmergencyStartApi.as_view(),
        name="api-community-emergency-start",
    ),
    path(
        "villages/<int:village_id>/emergency/end/",
        api.EmergencyEndApi.as_view(),
        name="api-community-emergency-end",
    ),
    path(
        "villages/<int:village_id>/supplies/receipts/",
        api.SupplyReceiptApi.as_view(),
        name="api-community-supply-receipt",
    ),
    path(
        "villages/<int:village_id>/supplies/issues/",
        api.SupplyIssueApi.as_view(),
        name="api-community-supply-issue",
    ),
    path("visits/", api.VisitListApi.as_view(), name="api-community-visit-list"),
    path(
        "visits/<int:field_visit_id>/findings/",
        api.VisitFindingApi.as_view(),
        name="api-community-visit-finding",
    ),
]
