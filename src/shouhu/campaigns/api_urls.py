from django.urls import path

from shouhu.campaigns import api

urlpatterns = [
    path("campaigns/", api.CampaignListApi.as_view(), name="api-campaign-list"),
    path("campaigns/current/", api.CurrentApi.as_view(), name="api-campaign-current"),
    path("campaigns/<int:campaign_id>/", api.CampaignDetailApi.as_view(), name="api-campaign-detail"),
    path("campaigns/<int:campaign_id>/policy/", api.PolicyApi.as_view(), name="api-policy"),
    path(
        "campaigns/<int:campaign_id>/policy/<slug:module>/",
        api.ModulePolicyApi.as_view(),
        name="api-module-policy",
    ),
    path("campaigns/<int:campaign_id>/key-dates/", api.KeyDateListApi.as_view(), name="api-key-dates"),
    path("holidays/", api.HolidayListApi.as_view(), name="api-holidays"),
    path("suspensions/", api.SuspensionListApi.as_view(), name="api-suspension-list"),
    path("suspensions/<int:suspension_id>/", api.SuspensionDetailApi.as_view(), name="api-suspension-detail"),
    path(
        "suspensions/<int:suspension_id>/lift/", api.SuspensionLiftApi.as_view(), name="api-suspension-lift"
    ),
    path("service-availability/", api.AvailabilityApi.as_view(), name="api-service-availability"),
]
