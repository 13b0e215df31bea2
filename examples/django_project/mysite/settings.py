"""Development settings for mysite, as left behind by a quick start.

Run flake8-webframework on this file to see the classic mistakes;
settings_prod.py is the same project configured properly.
"""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-9r!x2k@v7q#m4t$w8z^b1n&c5f*h0j(l"  # WEB101: hardcoded secret key

DEBUG = True  # WEB201: debug enabled in a settings module

# "*" was added so a phone on the office Wi-Fi could open the dev server.
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "*"]  # WEB204: any Host header accepted

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
]

# CsrfViewMiddleware was commented out "temporarily" while testing the JSON API.
MIDDLEWARE = [  # WEB502: session and auth middleware, but no CsrfViewMiddleware
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    # "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mysite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "autoescape": False,  # WEB302: the "emails looked wrong" fix, for every page
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "mysite.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mysite",
        "USER": "mysite",
        "PASSWORD": "mysite-dev-2024",  # WEB103: database password in the source
        "HOST": "localhost",
    }
}

# Creating test users with PBKDF2 was slow, so MD5 went first "for now".
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",  # WEB603: new passwords hashed with MD5
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

EMAIL_HOST = "smtp.mailgun.org"
EMAIL_HOST_USER = "postmaster@mg.mysite.example"
EMAIL_HOST_PASSWORD = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"  # WEB103

CACHES = {
    "default": {
        # Django pickles values stored in memcached (pymemcache pickle serde).
        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",  # WEB401
        "LOCATION": "127.0.0.1:11211",
    }
}

# Sessions stored in the memcached cache above, pickled like any cache value.
SESSION_ENGINE = "django.contrib.sessions.backends.cache"  # WEB402
SESSION_COOKIE_SECURE = False  # WEB504: session cookie also sent over plain HTTP

# The admin is framed by the partner dashboard.
X_FRAME_OPTIONS = "ALLOW-FROM https://dashboard.partner.example"  # WEB503

# The SPA on another port needs cookies; "allow all" was the quickest fix.
CORS_ALLOW_ALL_ORIGINS = True  # WEB505: any site can make credentialed requests
CORS_ALLOW_CREDENTIALS = True

SECURE_SSL_REDIRECT = False  # WEB506: plain HTTP served instead of redirected
SECURE_HSTS_SECONDS = 0  # WEB506: max-age=0 makes browsers forget HSTS

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
