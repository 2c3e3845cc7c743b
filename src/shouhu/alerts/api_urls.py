from django.urls import path

from shouhu.alerts import api

urlpatterns = [
    path("", api.AlertListApi.as_view(), name="api-alert-list"),
    path("unread-count/", api.UnreadCountApi.as_view(), name="api-alert-unread-count"),
    path("<int:alert_id>/", api.AlertDetailApi.as_view(), name="api-alert-detail"),
    path("<int:alert_id>/read/", api.AlertReadApi.as_view(), name="api-alert-read"),
    path("<int:alert_id>/ack/", api.AlertAcknowledgeApi.as_view(), name="api-alert-acknowledge"),
]
