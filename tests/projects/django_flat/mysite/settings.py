SECRET_KEY = "flat-dev-key"
DEBUG = True  # expect: WEB201:9
INSTALLED_APPS = ["django.contrib.admin"]
ALLOWED_HOSTS = []
