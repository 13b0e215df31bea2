"""A tiny Flask blog with a few configuration and templating mistakes."""
import os

from flask import Flask, abort, render_template_string, request

from config import ProductionConfig

app = Flask(__name__)
app.config.from_object(ProductionConfig)
app.secret_key = "dev-secret-change-me"  # WEB101: hardcoded secret key
app.config.update(DEBUG=True)  # WEB201: debug mode switched on for every environment

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


if __name__ == "__main__":
    debug = os.environ.get("FLASK_DEBUG") == "1"
    app.run(debug=debug)  # non-literal value decided at run time: silent
