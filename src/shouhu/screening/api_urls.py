from django.urls import path

from shouhu.screening import api

urlpatterns = [
    path("screening/travel-check/", api.TravelCheckApi.as_view(), name="api-screening-travel-check"),
    path("screening/risk-areas/", api.RiskAreaListApi.as_view(), name="api-risk-area-list"),
    path(
        "screening/risk-areas/<int:risk_area_id>/",
        api.RiskAreaDetailApi.as_view(),
        name="api-risk-area-detail",
    ),
    path(
        "screening/risk-areas/<int:risk_area_id>/end/", api.RiskAreaEndApi.as_view(), name="api-risk-area-end"
    ),
    path("screening/isolations/", api.IsolationListApi.as_view(), name="api-isolation-list"),
    path(
        "screening/isolations/<int:isolation_id>/",
        api.IsolationDetailApi.as_view(),
        name="api-isolation-detail",
    ),
    path(
        "screening/isolations/<int:isolation_id>/end/",
        api.IsolationEndApi.as_view(),
        name="api-isolation-end",
    ),
    path(
        "screening/people/<int:person_id>/isolation/",
        api.PersonIsolationApi.as_view(),
        name="api-person-isolation",
    ),
    path("screening/screenings/", api.ScreeningListApi.as_view(), name="api-screening-list"),
    path(
        "screening/screenings/<int:screening_id>/",
        api.ScreeningDetailApi.as_view(),
        name="api-screening-detail",
    ),
    path(
        "screening/screenings/<int:screening_id>/confirm/",
        api.ScreeningConfirmApi.as_view(),
        name="api-screening-confirm",
    ),
]
