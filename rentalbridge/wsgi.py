"""WSGI entry point for the admin web server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentalbridge.settings")

application = get_wsgi_application()
