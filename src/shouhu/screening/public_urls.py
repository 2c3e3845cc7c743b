"""Public venue-code pages: /v/<token>/ (no login)."""

from django.urls import path

from shouhu.screening import public

app_name = "venue"

urlpatterns = [
    path("<str:token>/", public.declare, name="declare"),
    path("<str:token>/r/<str:receipt>/", public.receipt, name="receipt"),
]
