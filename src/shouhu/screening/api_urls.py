from django.urls import path

from shouhu.screening import api

urlpatterns = [
    path("travel-check/", api.TravelCheckApi.as_view(), name="api-screening-travel-check"),
    path("risk-areas/", api.RiskAreaListApi.as_view(), name="api-risk-area-list"),
    path(
        "risk-areas/<int:risk_area_id>/",
        api.RiskAreaDetailApi.as_view(),
        name="api-risk-area-detail",
    ),
    path("risk-areas/<int:risk_area_id>/end/", api.RiskAreaEndApi.as_view(), name="api-risk-area-end"),
    path("isolations/", api.IsolationListApi.as_view(), name="api-isolation-list"),
    path(
        "isolations/<int:isolation_id>/",
        api.IsolationDetailApi.as_view(),
        name="api-isolation-detail",
    ),
    path(
        "isolations/<int:isolation_id>/end/",
        api.IsolationEndApi.as_view(),
        name="api-isolation-end",
    ),
    path(
        "isolations/<int:isolation_id>/confirm/",
        api.IsolationConfirmApi.as_view(),
        name="api-isolation-confirm",
    ),
    path(
        "people/<int:person_id>/isolation/",
        api.PersonIsolationApi.as_view(),
        name="api-person-isolation",
    ),
    path("screenings/", api.ScreeningListApi.as_view(), name="api-screening-list"),
    path(
        "screenings/<int:screening_id>/",
        api.ScreeningDetailApi.as_view(),
        name="api-screening-detail",
    ),
    path(
        "screenings/<int:screening_id>/confirm/",
        api.ScreeningConfirmApi.as_view(),
        name="api-screening-confirm",
    ),
]
