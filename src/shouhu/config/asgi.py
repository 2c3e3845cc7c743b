import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhu.config.settings.production")
application = get_asgi_application()

from shouhu.common.checks import refuse_to_serve_with_unusable_keys  # noqa: E402  needs the apps loaded

refuse_to_serve_with_unusable_keys()
