from django.urls import path

from shouhu.people import api

urlpatterns = [
    path("", api.PersonListApi.as_view(), name="api-person-list"),
    path("search/", api.PersonSearchApi.as_view(), name="api-person-search"),
    path("conflicts/", api.RegistrationConflictListApi.as_view(), name="api-registration-conflict-list"),
    path(
        "conflicts/<int:registration_conflict_id>/resolve/",
        api.RegistrationConflictResolveApi.as_view(),
        name="api-registration-conflict-resolve",
    ),
    path("<int:person_id>/", api.PersonDetailApi.as_view(), name="api-person-detail"),
    path("<int:person_id>/reveal/", api.PersonRevealApi.as_view(), name="api-person-reveal"),
]
