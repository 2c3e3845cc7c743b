from django.urls import path

from shouhu.orgs import api

urlpatterns = [
    path("units/", api.UnitListApi.as_view(), name="api-unit-list"),
    path("units/<int:unit_id>/", api.UnitDetailApi.as_view(), name="api-unit-detail"),
]
