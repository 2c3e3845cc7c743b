from django.urls import path

from shouhu.staffing import api

urlpatterns = [
    path("leaves/", api.LeaveListApi.as_view(), name="api-staff-leave-list"),
    path("leaves/<int:staff_leave_id>/", api.LeaveDetailApi.as_view(), name="api-staff-leave-detail"),
    path(
        "leaves/<int:staff_leave_id>/approve/", api.LeaveApproveApi.as_view(), name="api-staff-leave-approve"
    ),
    path("leaves/<int:staff_leave_id>/refuse/", api.LeaveRefuseApi.as_view(), name="api-staff-leave-refuse"),
    path("leaves/<int:staff_leave_id>/return/", api.LeaveReturnApi.as_view(), name="api-staff-leave-return"),
    path("travel/", api.TravelListApi.as_view(), name="api-travel-report-list"),
    path("travel/<int:travel_report_id>/", api.TravelDetailApi.as_view(), name="api-travel-report-detail"),
    path(
        "travel/<int:travel_report_id>/acknowledge/",
        api.TravelAcknowledgeApi.as_view(),
        name="api-travel-report-acknowledge",
    ),
    path(
        "travel/<int:travel_report_id>/return/",
        api.TravelReturnApi.as_view(),
        name="api-travel-report-return",
    ),
    path("education/", api.EducationCoverageApi.as_view(), name="api-staff-education"),
]
