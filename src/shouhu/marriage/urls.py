from django.urls import path

from shouhu.marriage import public, views

app_name = "marriage"

urlpatterns = [
    # Public (no login)
    path("book/", public.book, name="public_book"),
    path("book/slots/", public.slots, name="public_slots"),
    path("book/verify/", public.verify, name="public_verify"),
    path("book/done/", public.done, name="public_done"),
    path("book/manage/", public.manage, name="public_manage"),
    # Staff
    path("", views.registry_list, name="registry_list"),
    path("registries/<int:registry_id>/", views.registry_detail, name="registry_detail"),
    path("registries/<int:registry_id>/day/", views.day_view, name="day_view"),
    path(
        "slot-templates/<int:slot_template_id>/delete/",
        views.slot_template_delete,
        name="slot_template_delete",
    ),
    path("surge-dates/", views.surge_date_list, name="surge_date_list"),
    path("suspensions/<int:suspension_id>/notify/", views.suspension_notify, name="suspension_notify"),
    path("counter/", views.counter, name="counter"),
    path("bookings/<int:booking_id>/", views.booking_detail, name="booking_detail"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:marriage_report_id>/", views.report_detail, name="report_detail"),
    path("report-recipients/", views.report_recipient_list, name="report_recipient_list"),
    path(
        "report-recipients/<int:report_recipient_id>/delete/",
        views.report_recipient_delete,
        name="report_recipient_delete",
    ),
    path("hall-logs/", views.hall_log_list, name="hall_log_list"),
    path("daily-counts/", views.daily_counts, name="daily_counts"),
]
