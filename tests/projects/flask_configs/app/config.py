"""Environment configs built on the shared defaults of another module."""
import os

from .config_base import BaseConfig


class ProductionConfig(BaseConfig):  # expect: WEB504:24
    SECRET_KEY = os.environ["SECRET_KEY"]
    DEBUG = False


class DevelopmentConfig(BaseConfig):
    DEBUG = True  # expect: WEB201:13
