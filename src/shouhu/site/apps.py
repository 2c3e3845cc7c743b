from django.apps import AppConfig


class SiteConfig(AppConfig):
    """What composes the apps into one site (the import pages, the demo data), kept above them
    so that `common`, which every app imports, imports none of them."""

    name = "shouhu.site"
    label = "site"
    verbose_name = "站点"
