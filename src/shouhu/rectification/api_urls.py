from django.urls import path

from shouhu.rectification import api

urlpatterns = [
    path("findings/", api.FindingListApi.as_view(), name="api-rectification-finding-list"),
    path(
        "findings/<int:finding_id>/", api.FindingDetailApi.as_view(), name="api-rectification-finding-detail"
    ),
    path(
        "findings/<int:finding_id>/submit/",
        api.FindingSubmitApi.as_view(),
        name="api-rectification-finding-submit",
    ),
    path(
        "findings/<int:finding_id>/accept/",
        api.FindingAcceptApi.as_view(),
        name="api-rectification-finding-accept",
    ),
    path(
        "findings/<int:finding_id>/return/",
        api.FindingReturnApi.as_view(),
        name="api-rectification-finding-return",
    ),
]
