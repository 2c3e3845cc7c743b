from django.urls import path

from shouhu.gatherings import views

app_name = "gatherings"

urlpatterns = [
    path("", views.gathering_list, name="gathering_list"),
    path("new/", views.gathering_create, name="gathering_create"),
    path("from-funeral/<int:funeral_case_id>/", views.gathering_from_funeral, name="gathering_from_funeral"),
    path("<int:gathering_id>/", views.gathering_detail, name="gathering_detail"),
    path("<int:gathering_id>/pending/", views.gathering_pending, name="gathering_pending"),
    path("<int:gathering_id>/approve/", views.gathering_approve, name="gathering_approve"),
    path("<int:gathering_id>/refuse/", views.gathering_refuse, name="gathering_refuse"),
    path("<int:gathering_id>/cancel/", views.gathering_cancel, name="gathering_cancel"),
    path("<int:gathering_id>/submit/", views.gathering_submit, name="gathering_submit"),
    path("<int:gathering_id>/participants/", views.participant_add, name="participant_add"),
    path("<int:gathering_id>/import/", views.participant_import, name="participant_import"),
    path(
        "<int:gathering_id>/import/template/",
        views.participant_import_template,
        name="participant_import_template",
    ),
    path("<int:gathering_id>/door/", views.door_check, name="door_check"),
    path("participants/<int:participant_id>/", views.participant_edit, name="participant_edit"),
    path("participants/<int:participant_id>/remove/", views.participant_remove, name="participant_remove"),
]
