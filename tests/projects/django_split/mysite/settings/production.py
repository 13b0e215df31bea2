"""Production overrides some defaults and forgets others."""
import os

from .base import *  # noqa: F403  # expect: WEB204:1 WEB503:1 WEB504:1

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
MIDDLEWARE += ["django.middleware.csrf.CsrfViewMiddleware"]  # noqa: F405
CSRF_COOKIE_SECURE = True
