"""Configuration classes for the Flask blog (loaded with app.config.from_object)."""
import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev")  # WEB102: literal fallback for the secret key
    # "False" is a non-empty string: without a cast, Python treats it as true.
    DEBUG = os.environ.get("FLASK_DEBUG", "False")  # WEB202: debug on when the variable is unset
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///blog.db")
    MAIL_SERVER = "smtp.mailtrap.io"
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "5f1e0c9a2b7d4e")  # WEB103
    SESSION_COOKIE_HTTPONLY = True
    CACHE_TYPE = "SimpleCache"


class DevConfig(Config):
    DEBUG = True  # WEB201: debug enabled in a config class
    TEMPLATES_AUTO_RELOAD = True
    SQLALCHEMY_DATABASE_URI = "postgresql://blog:blog-dev@localhost/blog"  # WEB103
    SESSION_COOKIE_SECURE = False  # WEB504: and the staging deploy uses DevConfig too


class TestConfig(Config):
    # Test clients post forms without a token; TESTING marks this as test-only: silent.
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"


class ProductionConfig(Config):
    # Done right: no fallback (Flask refuses to sign sessions without a key),
    # and debug is a plain False.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    DEBUG = False
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    SESSION_COOKIE_SECURE = True
