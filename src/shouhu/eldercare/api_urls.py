from django.urls import path

from shouhu.eldercare import api

urlpatterns = [
    path("closures/", api.ClosureListApi.as_view(), name="api-eldercare-closure-list"),
    path(
        "closures/<int:closure_id>/",
        api.ClosureDetailApi.as_view(),
        name="api-eldercare-closure-detail",
    ),
    path("movements/", api.MovementCreateApi.as_view(), name="api-eldercare-movement-create"),
    path("rounds/", api.RoundListApi.as_view(), name="api-eldercare-round-list"),
    path("rounds/<int:round_id>/", api.RoundDetailApi.as_view(), name="api-eldercare-round-detail"),
    path(
        "rounds/<int:round_id>/results/",
        api.ResultRecordApi.as_view(),
        name="api-eldercare-result-record",
    ),
    path(
        "health-checks/",
        api.HealthCheckCreateApi.as_view(),
        name="api-eldercare-health-check-create",
    ),
    path("daily-logs/", api.DailyLogRecordApi.as_view(), name="api-eldercare-daily-log-record"),
]
