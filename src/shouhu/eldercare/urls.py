from django.urls import path

from shouhu.eldercare import views

app_name = "eldercare"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("coverage/", views.coverage, name="coverage"),
    path("homes/<int:home_id>/", views.home_detail, name="home_detail"),
    path("homes/<int:home_id>/closures/new/", views.closure_create, name="closure_create"),
    path("homes/<int:home_id>/movements/new/", views.movement_create, name="movement_create"),
    path("homes/<int:home_id>/rounds/new/", views.round_create, name="round_create"),
    path("homes/<int:home_id>/checks/", views.health_checks, name="health_checks"),
    path("homes/<int:home_id>/log/", views.daily_log, name="daily_log"),
    path("closures/<int:closure_id>/", views.closure_detail, name="closure_detail"),
    path("closures/<int:closure_id>/end/", views.closure_end, name="closure_end"),
    path("closures/<int:closure_id>/shifts/new/", views.shift_create, name="shift_create"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/<int:checklist_item_id>/", views.checklist_item_edit, name="checklist_item_edit"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/<int:round_id>/", views.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/missing/", views.round_missing, name="round_missing"),
]
