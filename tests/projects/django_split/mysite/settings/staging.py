"""A second production-like sibling: it overrides everything production overrides."""
import os

from mysite.settings.base import *  # noqa: F403  # expect: WEB204:1 WEB503:1 WEB504:1

DEBUG = os.environ.get("DEBUG") == "1"
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
MIDDLEWARE.insert(0, "django.middleware.csrf.CsrfViewMiddleware")  # noqa: F405
CSRF_COOKIE_SECURE = True
