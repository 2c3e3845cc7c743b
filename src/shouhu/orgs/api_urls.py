from django.urls import path

from shouhu.orgs import api

urlpatterns = [
    path("", api.UnitListApi.as_view(), name="api-unit-list"),
    path("<int:unit_id>/", api.UnitDetailApi.as_view(), name="api-unit-detail"),
]
