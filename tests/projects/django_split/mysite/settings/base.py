"""Settings shared by every environment (development defaults that production overrides)."""
DEBUG = True
SECRET_KEY = "django-insecure-dev-only"
ALLOWED_HOSTS = ["*"]  # expect: WEB204:18
INSTALLED_APPS = ["django.contrib.sessions", "django.contrib.auth"]
MIDDLEWARE = [  # expect: WEB503:1
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
SESSION_COOKIE_SECURE = False  # expect: WEB504:25
CSRF_COOKIE_SECURE = False
