"""Wiki: a small Pyramid application configured in code."""
from jinja2 import Environment, PackageLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from pyramid.authentication import AuthTktAuthenticationPolicy
from pyramid.authorization import (
    ALL_PERMISSIONS,
    DENY_ALL,
    ACLAuthorizationPolicy,
    Allow,
    Authenticated,
    Everyone,
)
from pyramid.config import Configurator
from pyramid.response import Response
from pyramid.session import SignedCookieSessionFactory
from pyramid.view import view_config

# Page exports; Jinja2's own default is to escape nothing.
EXPORT_ENV = Environment(loader=PackageLoader("wiki", "templates"))  # WEB302
# Done right: escaping on for HTML and XML templates.
PAGE_ENV = Environment(
    loader=PackageLoader("wiki", "templates"), autoescape=select_autoescape(["html", "xml"])
)


class WikiRoot:
    """Root resource: who may do what."""

    __acl__ = [
        (Allow, Everyone, "view"),  # a named permission: silent
        (Allow, Authenticated, ALL_PERMISSIONS),  # WEB602: every logged-in user may do anything
        (Allow, "group:admins", ALL_PERMISSIONS),  # a narrow principal: silent
        DENY_ALL,
    ]

    def __init__(self, request):
        self.request = request


@view_config(route_name="page")
def show_page(request):
    env = Environment(autoescape=True)
    # Literal template, the page name is only a variable: silent.
    template = env.from_string("<h1>{{ name }}</h1>")
    return Response(template.render(name=request.matchdict["name"]))


@view_config(route_name="export")
def export_page(request):
    template = EXPORT_ENV.get_template("export.html")
    return Response(template.render(body=request.params.get("body", "")))


@view_config(route_name="preview")
def preview(request):
    env = Environment(autoescape=True)
    template = env.from_string(request.params["source"])  # WEB301
    return Response(template.render(page=request.params.get("page")))


@view_config(route_name="sandboxed_preview")
def sandboxed_preview(request):
    # The sandbox is the intended defence for user-written templates: silent.
    env = SandboxedEnvironment(autoescape=True)
    template = env.from_string(request.params["source"])
    return Response(template.render())


# The upload form's JavaScript never learned to send the token.
@view_config(route_name="upload", request_method="POST", require_csrf=False)  # WEB502
def upload(request):
    return Response("stored %d bytes" % len(request.POST["file"].file.read()))


@view_config(route_name="edit", request_method="POST", permission="edit")
def edit(request):
    # Checked against the default CSRF options set in make_config: silent.
    return Response("saved")


def make_config(settings, session_factory, authn_policy):
    config = Configurator(
        settings=settings,
        root_factory=WikiRoot,
        session_factory=session_factory,
        authentication_policy=authn_policy,
        authorization_policy=ACLAuthorizationPolicy(),
    )
    config.set_default_csrf_options(require_csrf=True)
    config.add_route("preview", "/_preview")
    config.add_route("sandboxed_preview", "/_sandboxed_preview")
    config.add_route("upload", "/_upload")
    config.add_route("export", "/{name}/export")
    config.add_route("edit", "/{name}/edit")
    config.add_route("page", "/{name}")
    config.scan()
    return config


def main(global_config, **settings):
    """Entry point for pserve: secrets come from the .ini settings."""
    session_factory = SignedCookieSessionFactory(
        settings["wiki.session_secret"], secure=True, httponly=True
    )
    authn_policy = AuthTktAuthenticationPolicy(
        settings["wiki.auth_secret"], secure=True, http_only=True
    )
    # The debug toolbar, if wanted, comes from development.ini's pyramid.includes: silent.
    return make_config(settings, session_factory, authn_policy).make_wsgi_app()


def dev_app():
    """Quick local run, with the secrets copied from the tutorial."""
    session_factory = SignedCookieSessionFactory(
        "itsaseekreet",  # WEB101: the tutorial's secret
        secure=False,  # WEB504: the session cookie also travels over plain HTTP
    )
    authn_policy = AuthTktAuthenticationPolicy("sosecret")  # WEB101
    config = make_config({}, session_factory, authn_policy)
    config.include("pyramid_debugtoolbar")  # WEB203: Werkzeug-style console in every error page
    return config.make_wsgi_app()


if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    make_server("127.0.0.1", 6543, dev_app()).serve_forever()
