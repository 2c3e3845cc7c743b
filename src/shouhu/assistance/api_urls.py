from django.urls import path

from shouhu.assistance import api

urlpatterns = [
    path("households/", api.HouseholdListApi.as_view(), name="api-assistance-household-list"),
    path(
        "households/<int:household_id>/",
        api.HouseholdDetailApi.as_view(),
        name="api-assistance-household-detail",
    ),
    path(
        "households/<int:household_id>/update/",
        api.HouseholdUpdateApi.as_view(),
        name="api-assistance-household-update",
    ),
    path(
        "households/<int:household_id>/members/",
        api.MemberJoinApi.as_view(),
        name="api-assistance-member-join",
    ),
    path(
        "members/<int:household_member_id>/leave/",
        api.MemberLeaveApi.as_view(),
        name="api-assistance-member-leave",
    ),
    path(
        "households/<int:household_id>/responsibilities/",
        api.ResponsibilityAssignApi.as_view(),
        name="api-assistance-responsibility-assign",
    ),
    path(
        "households/<int:household_id>/visits/",
        api.VisitListApi.as_view(),
        name="api-assistance-visit-list",
    ),
    path(
        "households/<int:household_id>/assessments/",
        api.AssessmentRecordApi.as_view(),
        name="api-assistance-assessment-record",
    ),
    path(
        "assessments/<int:income_assessment_id>/",
        api.AssessmentDetailApi.as_view(),
        name="api-assistance-assessment-detail",
    ),
    path("follow-ups/", api.FollowUpListApi.as_view(), name="api-assistance-follow-up-list"),
    path(
        "follow-ups/<int:follow_up_id>/close/",
        api.FollowUpCloseApi.as_view(),
        name="api-assistance-follow-up-close",
    ),
    path("standards/", api.StandardListApi.as_view(), name="api-assistance-standard-list"),
    path(
        "households/<int:household_id>/reviews/",
        api.ReviewListApi.as_view(),
        name="api-assistance-review-list",
    ),
    path(
        "households/<int:household_id>/grants/",
        api.GrantCreateApi.as_view(),
        name="api-assistance-grant-create",
    ),
    path("grants/", api.GrantListApi.as_view(), name="api-assistance-grant-list"),
    path(
        "grants/<int:temporary_assistance_id>/documents/",
        api.GrantDocumentsApi.as_view(),
        name="api-assistance-grant-documents",
    ),
    path(
        "grants/<int:temporary_assistance_id>/end/",
        api.GrantEndApi.as_view(),
        name="api-assistance-grant-end",
    ),
    path(
        "grants/<int:temporary_assistance_id>/to-dibao/",
        api.GrantToDibaoApi.as_view(),
        name="api-assistance-grant-to-dibao",
    ),
    path("rolls/", api.RollListApi.as_view(), name="api-assistance-roll-list"),
    path(
        "rolls/<int:payment_roll_id>/",
        api.RollDetailApi.as_view(),
        name="api-assistance-roll-detail",
    ),
    path(
        "rolls/<int:payment_roll_id>/payments/",
        api.RollPaymentListApi.as_view(),
        name="api-assistance-roll-payments",
    ),
    path(
        "rolls/<int:payment_roll_id>/reconcile/",
        api.RollReconcileApi.as_view(),
        name="api-assistance-roll-reconcile",
    ),
    path("arrears/", api.ArrearListApi.as_view(), name="api-assistance-arrear-list"),
    path(
        "arrears/by-county/",
        api.ArrearByCountyApi.as_view(),
        name="api-assistance-arrear-by-county",
    ),
    path("care/", api.CareTaskListApi.as_view(), name="api-assistance-care-list"),
    path(
        "care/<int:care_task_id>/deliveries/",
        api.CareDeliveryListApi.as_view(),
        name="api-assistance-care-deliveries",
    ),
    path("hotline/", api.HotlineListApi.as_view(), name="api-assistance-hotline-list"),
    path(
        "hotline/<int:inquiry_id>/",
        api.HotlineDetailApi.as_view(),
        name="api-assistance-hotline-detail",
    ),
    path(
        "hotline/<int:inquiry_id>/assign/",
        api.HotlineAssignApi.as_view(),
        name="api-assistance-hotline-assign",
    ),
    path(
        "hotline/<int:inquiry_id>/answer/",
        api.HotlineAnswerApi.as_view(),
        name="api-assistance-hotline-answer",
    ),
    path(
        "hotline/<int:inquiry_id>/close/",
        api.HotlineCloseApi.as_view(),
        name="api-assistance-hotline-close",
    ),
]
