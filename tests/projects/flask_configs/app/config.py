"""Environment configs built on the shared defaults of another module."""
import os

from .config_base import BaseConfig
from .defaults import DEFAULT_KEY


class ProductionConfig(BaseConfig):  # expect: WEB504:24
    SECRET_KEY = os.environ["SECRET_KEY"]
    DEBUG = False


class DevelopmentConfig(BaseConfig):
    DEBUG = True  # expect: WEB201:13


class StagingConfig(BaseConfig):  # expect: WEB504:21
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEFAULT_KEY  # expect: WEB102:50
    DEBUG = False
