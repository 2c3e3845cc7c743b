from django.urls import path

from shouhu.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("export/", views.tree_export, name="tree_export"),
    path("import/", views.tree_import, name="tree_import"),
    path("import/template/", views.template_download, name="tree_template"),
    path("<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("<int:unit_id>/history/", views.unit_history, name="unit_history"),
]
