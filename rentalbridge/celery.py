"""The Celery application: broker and result backend on Redis (REDIS_URL), tasks discovered per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentalbridge.settings")

app = Celery("rentalbridge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
