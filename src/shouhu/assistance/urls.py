from django.urls import path

from shouhu.assistance import views

app_name = "assistance"

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("new/", views.household_create, name="household_create"),
    path("<int:household_id>/", views.household_detail, name="household_detail"),
    path("<int:household_id>/edit/", views.household_edit, name="household_edit"),
    path("<int:household_id>/members/", views.member_add, name="member_add"),
    path("members/<int:household_member_id>/leave/", views.member_leave, name="member_leave"),
    path("members/<int:household_member_id>/head/", views.member_make_head, name="member_make_head"),
    path("<int:household_id>/responsibility/", views.responsibility_assign, name="responsibility_assign"),
    path("<int:household_id>/visits/new/", views.visit_record, name="visit_record"),
    path("<int:household_id>/assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:income_assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:follow_up_id>/close/", views.follow_up_close, name="follow_up_close"),
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/new/", views.standard_create, name="standard_create"),
    path("<int:household_id>/grants/new/", views.grant_create, name="grant_create"),
    path("<int:household_id>/reviews/new/", views.review_create, name="review_create"),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/<int:temporary_assistance_id>/documents/", views.grant_documents, name="grant_documents"),
    path("grants/<int:temporary_assistance_id>/end/", views.grant_end, name="grant_end"),
    path("grants/<int:temporary_assistance_id>/to-dibao/", views.grant_to_dibao, name="grant_to_dibao"),
    path("rolls/", views.roll_list, name="roll_list"),
    path("rolls/generate/", views.roll_generate, name="roll_generate"),
    path("rolls/<int:payment_roll_id>/", views.roll_detail, name="roll_detail"),
    path("rolls/<int:payment_roll_id>/bank-file/", views.roll_bank_file, name="roll_bank_file"),
    path("rolls/<int:payment_roll_id>/reconcile/", views.roll_reconcile, name="roll_reconcile"),
    path("arrears/", views.arrears, name="arrears"),
    path("care/", views.care_list, name="care_list"),
    path("care/<int:care_task_id>/deliver/", views.care_deliver, name="care_deliver"),
    path("hotline/", views.hotline_list, name="hotline_list"),
    path("hotline/new/", views.hotline_create, name="hotline_create"),
    path("hotline/<int:inquiry_id>/", views.hotline_detail, name="hotline_detail"),
]
