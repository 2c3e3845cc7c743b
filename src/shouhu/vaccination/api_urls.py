from django.urls import path

from shouhu.vaccination import api

urlpatterns = [
    path("products/", api.ProductListApi.as_view(), name="api-vaccine-product-list"),
    path("doses/", api.DoseListApi.as_view(), name="api-dose-list"),
    path("doses/<int:dose_id>/", api.DoseDetailApi.as_view(), name="api-dose-detail"),
    path("people/<int:person_id>/", api.PersonRecordApi.as_view(), name="api-vaccination-record"),
    path(
        "people/<int:person_id>/contraindications/",
        api.ContraindicationCreateApi.as_view(),
        name="api-contraindication-create",
    ),
    path(
        "contraindications/<int:contraindication_id>/lift/",
        api.ContraindicationLiftApi.as_view(),
        name="api-contraindication-lift",
    ),
    path(
        "people/<int:person_id>/deferrals/",
        api.DeferralCreateApi.as_view(),
        name="api-deferral-create",
    ),
    path("deferrals/<int:deferral_id>/end/", api.DeferralEndApi.as_view(), name="api-deferral-end"),
    path(
        "people/<int:person_id>/mobiliser/",
        api.MobiliserAssignApi.as_view(),
        name="api-mobiliser-assign",
    ),
    path("people/<int:person_id>/contacts/", api.ContactLogApi.as_view(), name="api-contact-log"),
    path("todo/", api.TodoListApi.as_view(), name="api-vaccination-todo"),
    path("reports/", api.ReportListApi.as_view(), name="api-vaccination-report-list"),
    path(
        "reports/<int:report_id>/",
        api.ReportDetailApi.as_view(),
        name="api-vaccination-report-detail",
    ),
    path("region/ranking/", api.RegionRankingApi.as_view(), name="api-vaccination-ranking"),
]
