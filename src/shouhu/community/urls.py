from django.urls import path

from shouhu.community import views

app_name = "community"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("roster/", views.roster_list, name="roster_list"),
    path("training/", views.coverage, name="coverage"),
    path("villages/<int:village_id>/", views.village_home, name="village_home"),
    path("villages/<int:village_id>/roster/", views.roster_add, name="roster_add"),
    path("villages/<int:village_id>/checkpoints/", views.checkpoint_add, name="checkpoint_add"),
    path("villages/<int:village_id>/plan/", views.plan_save, name="plan_save"),
    path("villages/<int:village_id>/posts/", views.post_add, name="post_add"),
    path("villages/<int:village_id>/emergency/start/", views.emergency_start, name="emergency_start"),
    path("villages/<int:village_id>/emergency/end/", views.emergency_end, name="emergency_end"),
    path("villages/<int:village_id>/duties/", views.duty_check, name="duty_check"),
    path("villages/<int:village_id>/supplies/receive/", views.supply_receive, name="supply_receive"),
    path("villages/<int:village_id>/supplies/issue/", views.supply_issue, name="supply_issue"),
    path("roster/<int:roster_member_id>/remove/", views.roster_remove, name="roster_remove"),
    path("checkpoints/<int:checkpoint_id>/remove/", views.checkpoint_remove, name="checkpoint_remove"),
    path("posts/<int:plan_post_id>/remove/", views.post_remove, name="post_remove"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:field_visit_id>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:field_visit_id>/findings/", views.finding_add, name="finding_add"),
]
