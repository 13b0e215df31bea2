from .settings_a import *  # noqa: F403  # expect: WEB506:1

INSTALLED_APPS = ["django.contrib.auth"]
