import os

from mysite.settings import *  # noqa: F403  # expect: WEB201:1

SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["www.example.com"]
