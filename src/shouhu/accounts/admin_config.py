from django.contrib.admin.apps import AdminConfig


class ShouhuAdminConfig(AdminConfig):
    """django.contrib.admin with Shouhu's admin site as `admin.site` (INSTALLED_APPS names this).

    A module of its own: INSTALLED_APPS loads it before any model, and the site's module imports
    the auth forms, which need the models."""

    default_site = "shouhu.accounts.admin_site.ShouhuAdminSite"
