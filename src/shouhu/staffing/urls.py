from django.urls import path

from shouhu.staffing import views

app_name = "staffing"

urlpatterns = [
    path("", views.leave_list, name="leave_list"),
    path("leaves/new/", views.leave_create, name="leave_create"),
    path("leaves/<int:staff_leave_id>/", views.leave_detail, name="leave_detail"),
    path("leaves/<int:staff_leave_id>/approve/", views.leave_approve, name="leave_approve"),
    path("leaves/<int:staff_leave_id>/refuse/", views.leave_refuse, name="leave_refuse"),
    path("leaves/<int:staff_leave_id>/return/", views.leave_return, name="leave_return"),
    path("travel/", views.travel_list, name="travel_list"),
    path("travel/new/", views.travel_create, name="travel_create"),
    path("travel/<int:travel_report_id>/", views.travel_detail, name="travel_detail"),
    path("travel/<int:travel_report_id>/acknowledge/", views.travel_acknowledge, name="travel_acknowledge"),
    path("travel/<int:travel_report_id>/return/", views.travel_return, name="travel_return"),
    path("units/", views.unit_overview, name="unit_overview"),
    path("education/", views.education, name="education"),
]
