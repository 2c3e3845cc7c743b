from django.urls import path

from shouhu.vaccination import api

urlpatterns = [
    path("vaccination/products/", api.ProductListApi.as_view(), name="api-vaccine-product-list"),
    path("vaccination/doses/", api.DoseListApi.as_view(), name="api-dose-list"),
    path("vaccination/doses/<int:dose_id>/", api.DoseDetailApi.as_view(), name="api-dose-detail"),
    path("vaccination/people/<int:person_id>/", api.PersonRecordApi.as_view(), name="api-vaccination-record"),
    path("vaccination/todo/", api.TodoListApi.as_view(), name="api-vaccination-todo"),
    path("vaccination/reports/", api.ReportListApi.as_view(), name="api-vaccination-report-list"),
    path(
        "vaccination/reports/<int:report_id>/",
        api.ReportDetailApi.as_view(),
        name="api-vaccination-report-detail",
    ),
    path("vaccination/region/ranking/", api.RegionRankingApi.as_view(), name="api-vaccination-ranking"),
]
