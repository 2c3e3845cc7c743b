from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from shouhu.common.views import healthz
from shouhu.site.views import dashboard

# Each module's endpoints under its own prefix: a request is matched against one module's
# patterns, not tried against every pattern of the modules before it.
api_v1 = [
    path("units/", include("shouhu.orgs.api_urls")),
    path("people/", include("shouhu.people.api_urls")),
    path("vaccination/", include("shouhu.vaccination.api_urls")),
    path("screening/", include("shouhu.screening.api_urls")),
    path("alerts/", include("shouhu.alerts.api_urls")),
    path("eldercare/", include("shouhu.eldercare.api_urls")),
    path("marriage/", include("shouhu.marriage.api_urls")),
    path("funerals/", include("shouhu.funerals.api_urls")),
    path("assistance/", include("shouhu.assistance.api_urls")),
    path("evidence/", include("shouhu.evidence.api_urls")),
    path("rectification/", include("shouhu.rectification.api_urls")),
    path("training/", include("shouhu.training.api_urls")),
    path("community/", include("shouhu.community.api_urls")),
    path("gatherings/", include("shouhu.gatherings.api_urls")),
    path("rescue/", include("shouhu.rescue.api_urls")),
    path("staffing/", include("shouhu.staffing.api_urls")),
    path("notifications/", include("shouhu.notifications.api_urls")),
    # Several prefixes each (me/, auth/token/; campaigns/, holidays/, suspensions/, …).
    path("", include("shouhu.accounts.api_urls")),
    path("", include("shouhu.campaigns.api_urls")),
]

# The API's documentation pages, served from drf-spectacular-sidecar's static files. Swagger UI
# loads its start script from its own address (the split view) and needs nothing more than the
# site's policy. ReDoc builds its styles at run time (styled-components inserts <style> elements)
# and runs its search in a worker made from a blob: URL; it shows only the API's own schema.
swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs/swagger_ui.html")
redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
    SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html")
)

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("shouhu.accounts.urls")),
    path("orgs/", include("shouhu.orgs.urls")),
    path("campaigns/", include("shouhu.campaigns.urls")),
    path("people/", include("shouhu.people.urls")),
    path("vaccination/", include("shouhu.vaccination.urls")),
    path("screening/", include("shouhu.screening.urls")),
    path("v/", include("shouhu.screening.public_urls")),
    path("alerts/", include("shouhu.alerts.urls")),
    path("eldercare/", include("shouhu.eldercare.urls")),
    path("marriage/", include("shouhu.marriage.urls")),
    path("funerals/", include("shouhu.funerals.urls")),
    path("assistance/", include("shouhu.assistance.urls")),
    path("evidence/", include("shouhu.evidence.urls")),
    path("rectification/", include("shouhu.rectification.urls")),
    path("training/", include("shouhu.training.urls")),
    path("community/", include("shouhu.community.urls")),
    path("gatherings/", include("shouhu.gatherings.urls")),
    path("rescue/", include("shouhu.rescue.urls")),
    path("staffing/", include("shouhu.staffing.urls")),
    path("notifications/", include("shouhu.notifications.urls")),
    path("imports/", include("shouhu.site.import_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="api-docs"),
    path("api/redoc/", redoc, name="api-redoc"),
]

# Chinese pages for the site, the API's JSON error body under /api/ (shouhu.common.error_views).
handler400 = "shouhu.common.error_views.bad_request"
handler403 = "shouhu.common.error_views.permission_denied"
handler404 = "shouhu.common.error_views.page_not_found"
handler500 = "shouhu.common.error_views.server_error"

admin.site.site_header = "守护 · 系统管理"
admin.site.site_title = "守护"
