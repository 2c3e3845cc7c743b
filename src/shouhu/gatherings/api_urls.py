from django.urls import path

from shouhu.gatherings import api

urlpatterns = [
    path("", api.GatheringListApi.as_view(), name="api-gathering-list"),
    path("create/", api.GatheringCreateApi.as_view(), name="api-gathering-create"),
    path("<int:gathering_id>/", api.GatheringDetailApi.as_view(), name="api-gathering-detail"),
    path("<int:gathering_id>/approve/", api.GatheringApproveApi.as_view(), name="api-gathering-approve"),
    path("<int:gathering_id>/refuse/", api.GatheringRefuseApi.as_view(), name="api-gathering-refuse"),
    path(
        "<int:gathering_id>/participants/",
        api.ParticipantListApi.as_view(),
        name="api-gathering-participants",
    ),
    path(
        "<int:gathering_id>/participants/add/",
        api.ParticipantAddApi.as_view(),
        name="api-gathering-participant-add",
    ),
    path("<int:gathering_id>/check/", api.CheckApi.as_view(), name="api-gathering-check"),
    path("<int:gathering_id>/door/", api.DoorCheckApi.as_view(), name="api-gathering-door"),
]
