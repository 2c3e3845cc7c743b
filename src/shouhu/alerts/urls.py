from django.urls import path

from shouhu.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.alert_read_all, name="read_all"),
    path("<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("<int:alert_id>/read/", views.alert_read, name="alert_read"),
    path("<int:alert_id>/ack/", views.alert_acknowledge, name="alert_acknowledge"),
    path("<int:alert_id>/open/", views.alert_open, name="alert_open"),
]
