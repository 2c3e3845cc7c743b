from django.apps import AppConfig


class SiteConfig(AppConfig):
    """What composes the apps into one site (the import pages, the demo data), kept above them
    so that `common`, which every app imports, imports none of them."""

    name = "shouhu.site"
    label = "site"
    verbose_name = "站点"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app declares the work its units do each day in `<app>/today.py` (common/today.py).
        autodiscover_modules("today")
