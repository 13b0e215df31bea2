"""An unparsable sibling: of unknown value, it overrides nothing (and flake8 reports E999)."""
from .base import *

DEBUG = (
