"""Wiki: a small Pyramid application configured in code."""
from jinja2 import Environment
from jinja2.sandbox import SandboxedEnvironment
from pyramid.authentication import AuthTktAuthenticationPolicy
from pyramid.authorization import ACLAuthorizationPolicy
from pyramid.config import Configurator
from pyramid.response import Response
from pyramid.session import SignedCookieSessionFactory
from pyramid.view import view_config


@view_config(route_name="page")
def show_page(request):
    env = Environment(autoescape=True)
    # Literal template, the page name is only a variable: silent.
    template = env.from_string("<h1>{{ name }}</h1>")
    return Response(template.render(name=request.matchdict["name"]))


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


def make_config(settings, session_factory, authn_policy):
    config = Configurator(
        settings=settings,
        session_factory=session_factory,
        authentication_policy=authn_policy,
        authorization_policy=ACLAuthorizationPolicy(),
    )
    config.add_route("preview", "/_preview")
    config.add_route("sandboxed_preview", "/_sandboxed_preview")
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
    return make_config(settings, session_factory, authn_policy).make_wsgi_app()


def dev_app():
    """Quick local run, with the secrets copied from the tutorial."""
    session_factory = SignedCookieSessionFactory("itsaseekreet")  # WEB101
    authn_policy = AuthTktAuthenticationPolicy("sosecret")  # WEB101
    return make_config({}, session_factory, authn_policy).make_wsgi_app()


if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    make_server("127.0.0.1", 6543, dev_app()).serve_forever()
