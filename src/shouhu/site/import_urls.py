from django.urls import path

from shouhu.site import import_views

app_name = "imports"

urlpatterns = [
    path("jobs/<int:job_id>/", import_views.import_job, name="job"),
    path("jobs/<int:job_id>/errors.xlsx", import_views.import_errors, name="errors"),
    path("<slug:kind>/", import_views.import_upload, name="upload"),
    path("<slug:kind>/template.xlsx", import_views.import_template, name="template"),
]
