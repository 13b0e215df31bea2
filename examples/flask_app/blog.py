"""A tiny Flask blog with a few configuration and templating mistakes."""
import base64
import json
import os
import pickle
import sys

from flask import Flask, abort, render_template_string, request
from flask_cors import CORS
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from werkzeug.serving import run_simple

from config import ProductionConfig

app = Flask(__name__)
app.config.from_object(ProductionConfig)
app.secret_key = "dev-secret-change-me"  # WEB101: hardcoded secret key
app.config.update(DEBUG=True)  # WEB201: debug mode switched on for every environment

csrf = CSRFProtect(app)
# TLS ends at the load balancer, and the redirect loop was "fixed" here.
Talisman(app, force_https=False)  # WEB506: HTTPS no longer enforced
CORS(
    app,
    resources={
        r"/api/public/*": {"origins": "*"},  # public and cookie-less: silent
        r"/api/*": {"origins": "*", "supports_credentials": True},  # WEB505
    },
)

POSTS = {
    1: {"title": "Hello", "body": "First post."},
    2: {"title": "Again", "body": "Second post."},
}

POST_PAGE = "<h1>{{ post.title }}</h1><article>{{ post.body }}</article>"


@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    # Literal template, user input only as a context variable: silent.
    return render_template_string("<p>Hello {{ name }}!</p>", name=name)


@app.route("/posts/<int:post_id>")
def show_post(post_id):
    post = POSTS.get(post_id) or abort(404)
    return render_template_string(POST_PAGE, post=post)  # module-level literal: silent


@app.route("/preview")
def preview():
    # The template source itself comes from the query string.
    return render_template_string(request.args["body"])  # WEB301: template from request data


@app.route("/greeting")
def greeting():
    name = request.args.get("name", "")
    title = Markup("<h1>Welcome back, " + name + "!</h1>")  # WEB303: name is not escaped
    # Done right: Markup.format escapes its arguments.
    subtitle = Markup("<p>Signed in as <b>{}</b></p>").format(name)
    return title + subtitle


@app.route("/preferences")
def preferences():
    # The preferences cookie was pickled "because JSON can't hold sets".
    prefs = pickle.loads(base64.b64decode(request.cookies["prefs"]))  # WEB403
    return {"theme": prefs.get("theme", "light")}


@app.route("/preferences/v2")
def preferences_v2():
    # Done right: data, not objects.
    prefs = json.loads(request.cookies.get("prefs2", "{}"))
    return {"theme": prefs.get("theme", "light")}


@app.route("/comments", methods=["POST"])
@csrf.exempt  # WEB502: a cookie-authenticated form endpoint without the CSRF check
def add_comment():
    return {"ok": bool(request.form.get("body"))}


@app.route("/posts", methods=["POST"])
def add_post():
    # Protected by CSRFProtect like every other POST view: silent.
    return {"ok": bool(request.form.get("title"))}


if __name__ == "__main__":
    if "--lan" in sys.argv:
        # Demo on the office network, with the in-browser console.
        run_simple(
            "0.0.0.0",  # WEB205: the development server on every interface
            5000,
            app,
            use_debugger=True,  # WEB203: anyone who reaches it gets a Python prompt
        )
    else:
        debug = os.environ.get("FLASK_DEBUG") == "1"
        # Loopback by default, debug decided at run time: silent.
        app.run(host="127.0.0.1", debug=debug)
