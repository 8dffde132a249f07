"""ASGI entry point (``faxline web`` serves it with uvicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
application = get_asgi_application()
