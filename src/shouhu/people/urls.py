from django.urls import path

from shouhu.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("find/", views.person_find, name="person_find"),
    path("export-unmasked/", views.person_export_unmasked, name="person_export_unmasked"),
    path("reveals/", views.reveal_list, name="reveal_list"),
    path("conflicts/", views.conflict_list, name="conflict_list"),
    path(
        "conflicts/<int:registration_conflict_id>/resolve/",
        views.conflict_resolve,
        name="conflict_resolve",
    ),
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("<int:person_id>/reveal/", views.person_reveal, name="person_reveal"),
    path("<int:person_id>/merge/", views.person_merge, name="person_merge"),
    path("<int:person_id>/history/", views.person_history, name="person_history"),
]
