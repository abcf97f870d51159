import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccpro.settings.base")

app = Celery("ccpro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
