"""The WSGI application that gunicorn serves in `bench_booking`: the project, with
`bench.booking_urls` as URLconf (the bare baseline view next to the real API)."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
settings.ROOT_URLCONF = "bench.booking_urls"
