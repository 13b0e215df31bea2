"""Helpers the views import: escaping, formatting, request access, shipped templates."""
import bleach
from flask import request

QUERY = "SELECT id, name FROM item WHERE id = %s"
PAGE = "<p>{{ item.name }}</p>"


def clean(text):
    return bleach.clean(text)


def bold(text):
    return "<b>%s</b>" % text


def payload():
    return request.get_data()


def load_template(name):
    with open(name, encoding="utf-8") as handle:
        return handle.read()


def where(column):
    return "SELECT * FROM item WHERE %s = 1" % column
