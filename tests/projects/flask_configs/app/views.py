import pickle

from flask import render_template_string
from markupsafe import Markup

from . import app
from .defaults import DEFAULT_KEY
from .utils import PAGE, QUERY, bold, clean, load_template, payload, where

app.secret_key = DEFAULT_KEY  # expect: WEB101:18


@app.route("/item/<name>")
def item(name, db):
    cleaned = Markup(clean(name))
    shown = Markup(bold(clean(name)))
    raw = Markup(bold(name))  # expect: WEB303:18
    data = pickle.loads(payload())  # expect: WEB403:25
    db.cursor().execute(QUERY, [name])
    db.cursor().execute(where("id"))
    page = render_template_string(PAGE, item=data)
    other = render_template_string(load_template("item.html"), item=data)
    return cleaned + shown + raw + page + other
