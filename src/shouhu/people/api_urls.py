from django.urls import path

from shouhu.people import api

urlpatterns = [
    path("people/", api.PersonListApi.as_view(), name="api-person-list"),
    path("people/search/", api.PersonSearchApi.as_view(), name="api-person-search"),
    path("people/<int:person_id>/", api.PersonDetailApi.as_view(), name="api-person-detail"),
    path("people/<int:person_id>/reveal/", api.PersonRevealApi.as_view(), name="api-person-reveal"),
]
