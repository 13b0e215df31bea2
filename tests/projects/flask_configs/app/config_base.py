"""Defaults for every environment; production overrides the unsafe ones."""


class BaseConfig:
    SECRET_KEY = "dev-only-key"  # expect: WEB101:18
    DEBUG = True  # expect: WEB201:13
    SESSION_COOKIE_SECURE = False  # expect: WEB504:29
