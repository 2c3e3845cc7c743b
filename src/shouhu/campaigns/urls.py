from django.urls import path

from shouhu.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("current/", views.campaign_current, name="campaign_current"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("<int:campaign_id>/history/", views.campaign_history, name="campaign_history"),
    path("phases/<int:phase_id>/edit/", views.phase_edit, name="phase_edit"),
    path("holidays/", views.holiday_list, name="holiday_list"),
    path("suspensions/", views.suspension_list, name="suspension_list"),
    path("suspensions/<int:suspension_id>/", views.suspension_detail, name="suspension_detail"),
    path("suspensions/<int:suspension_id>/history/", views.suspension_history, name="suspension_history"),
]
