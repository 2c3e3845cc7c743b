from django.urls import path

from shouhu.marriage import api

urlpatterns = [
    path("bookings/", api.BookingListApi.as_view(), name="api-marriage-booking-list"),
    path("bookings/new/", api.BookingCreateApi.as_view(), name="api-marriage-booking-create"),
    path(
        "bookings/<int:booking_id>/",
        api.BookingDetailApi.as_view(),
        name="api-marriage-booking-detail",
    ),
    path(
        "bookings/<int:booking_id>/cancel/",
        api.BookingCancelApi.as_view(),
        name="api-marriage-booking-cancel",
    ),
    path(
        "bookings/<int:booking_id>/check-in/",
        api.BookingCheckInApi.as_view(),
        name="api-marriage-booking-check-in",
    ),
    path("reports/", api.ReportListApi.as_view(), name="api-marriage-report-list"),
    path(
        "reports/<int:marriage_report_id>/close/",
        api.ReportCloseApi.as_view(),
        name="api-marriage-report-close",
    ),
    path("report-recipients/", api.RecipientListApi.as_view(), name="api-marriage-recipient-list"),
    path(
        "report-recipients/new/",
        api.RecipientCreateApi.as_view(),
        name="api-marriage-recipient-create",
    ),
    path(
        "report-recipients/<int:report_recipient_id>/delete/",
        api.RecipientDeleteApi.as_view(),
        name="api-marriage-recipient-delete",
    ),
]
