"""Development: inherits the defaults on purpose, so nothing is reported for them here."""
from .base import *  # noqa: F403

DEBUG = True  # expect: WEB201:9
