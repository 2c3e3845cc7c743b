from django.urls import path

from shouhu.eldercare import api

urlpatterns = [
    path("eldercare/closures/", api.ClosureListApi.as_view(), name="api-eldercare-closure-list"),
    path(
        "eldercare/closures/<int:closure_id>/",
        api.ClosureDetailApi.as_view(),
        name="api-eldercare-closure-detail",
    ),
    path("eldercare/movements/", api.MovementCreateApi.as_view(), name="api-eldercare-movement-create"),
    path("eldercare/rounds/", api.RoundListApi.as_view(), name="api-eldercare-round-list"),
    path("eldercare/rounds/<int:round_id>/", api.RoundDetailApi.as_view(), name="api-eldercare-round-detail"),
    path(
        "eldercare/rounds/<int:round_id>/results/",
        api.ResultRecordApi.as_view(),
        name="api-eldercare-result-record",
    ),
    path(
        "eldercare/health-checks/",
        api.HealthCheckCreateApi.as_view(),
        name="api-eldercare-health-check-create",
    ),
    path("eldercare/daily-logs/", api.DailyLogRecordApi.as_view(), name="api-eldercare-daily-log-record"),
]
