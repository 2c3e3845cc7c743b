from django.urls import path

from shouhu.training import api

urlpatterns = [
    path("sessions/", api.SessionListApi.as_view(), name="api-training-session-list"),
    path("sessions/record/", api.SessionRecordApi.as_view(), name="api-training-session-record"),
    path(
        "sessions/<int:training_session_id>/",
        api.SessionDetailApi.as_view(),
        name="api-training-session-detail",
    ),
    path(
        "sessions/<int:training_session_id>/attendance/",
        api.AttendanceAddApi.as_view(),
        name="api-training-attendance-add",
    ),
    path(
        "sessions/<int:training_session_id>/attendance/remove/",
        api.AttendanceRemoveApi.as_view(),
        name="api-training-attendance-remove",
    ),
]
