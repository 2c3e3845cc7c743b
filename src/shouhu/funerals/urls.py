from django.urls import path

from shouhu.funerals import views

app_name = "funerals"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:funeral_case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:funeral_case_id>/steps/", views.step_record, name="step_record"),
    path("ppe/", views.ppe_list, name="ppe_list"),
    path("ppe/<int:funeral_home_id>/", views.ppe_home, name="ppe_home"),
    path("ppe/<int:funeral_home_id>/receive/", views.ppe_receive, name="ppe_receive"),
    path("ppe/<int:funeral_home_id>/issue/", views.ppe_issue, name="ppe_issue"),
]
