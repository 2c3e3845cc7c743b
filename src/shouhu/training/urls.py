from django.urls import path

from shouhu.training import views

app_name = "training"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("new/", views.session_create, name="session_create"),
    path("<int:training_session_id>/", views.session_detail, name="session_detail"),
    path("<int:training_session_id>/edit/", views.session_update, name="session_update"),
    path("<int:training_session_id>/attendance/", views.attendance_add, name="attendance_add"),
    path("<int:training_session_id>/attendance/pick/", views.attendance_pick, name="attendance_pick"),
    path("<int:training_session_id>/attendance/remove/", views.attendance_remove, name="attendance_remove"),
    path("<int:training_session_id>/import/", views.attendance_import, name="attendance_import"),
    path("<int:training_session_id>/import/template/", views.attendance_template, name="attendance_template"),
]
