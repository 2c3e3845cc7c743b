from django.urls import path

from shouhu.alerts import api

urlpatterns = [
    path("alerts/", api.AlertListApi.as_view(), name="api-alert-list"),
    path("alerts/unread-count/", api.UnreadCountApi.as_view(), name="api-alert-unread-count"),
    path("alerts/<int:alert_id>/", api.AlertDetailApi.as_view(), name="api-alert-detail"),
    path("alerts/<int:alert_id>/read/", api.AlertReadApi.as_view(), name="api-alert-read"),
    path("alerts/<int:alert_id>/ack/", api.AlertAcknowledgeApi.as_view(), name="api-alert-acknowledge"),
]
