"""Star imports in a cycle and of a module that does not exist: unknown, never an error."""
from .settings_b import *  # noqa: F403
from .missing_settings import *  # noqa: F403

INSTALLED_APPS = ["django.contrib.auth"]
SECURE_SSL_REDIRECT = False  # expect: WEB506:23
