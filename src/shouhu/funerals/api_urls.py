from django.urls import path

from shouhu.funerals import api

urlpatterns = [
    path("cases/", api.CaseListApi.as_view(), name="api-funeral-case-list"),
    path("cases/<int:funeral_case_id>/", api.CaseDetailApi.as_view(), name="api-funeral-case-detail"),
    path(
        "cases/<int:funeral_case_id>/steps/",
        api.StepRecordApi.as_view(),
        name="api-funeral-case-step",
    ),
    path("ppe/stock/", api.StockListApi.as_view(), name="api-ppe-stock-list"),
    path("ppe/<int:funeral_home_id>/receipts/", api.ReceiptApi.as_view(), name="api-ppe-receipt"),
    path("ppe/<int:funeral_home_id>/issues/", api.IssueApi.as_view(), name="api-ppe-issue"),
]
