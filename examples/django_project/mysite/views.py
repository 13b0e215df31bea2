"""Views for mysite: each mistake sits next to the version done right."""
import json
import pickle

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template import Context, Template
from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

# A literal template compiled once; the user's input only fills a variable.
GREETING = Template("<p>Hello, {{ name }}!</p>")


def greet(request):
    name = request.GET.get("name", "world")
    return HttpResponse(GREETING.render(Context({"name": name})))


def preview(request):
    """Let editors preview a snippet before saving it."""
    snippet = Template(request.GET["t"])  # WEB301: template compiled from request data
    return HttpResponse(snippet.render(Context({"user": request.user})))


def banner(request):
    # Literal template with a context variable: silent.
    template = Template("<div class='banner'>{{ message }}</div>")
    return HttpResponse(template.render(Context({"message": request.GET.get("m", "")})))


def search(request):
    term = request.GET.get("q", "")
    with connection.cursor() as cursor:
        # The search term is pasted into the SQL text.
        cursor.execute(f"SELECT id, title FROM blog_post WHERE title LIKE '%{term}%'")  # WEB304
        rows = cursor.fetchall()
    return JsonResponse({"results": rows})


def search_by_author(request):
    # Done right: the value travels as a parameter, the SQL text is fixed.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title FROM blog_post WHERE author = %s", [request.GET["a"]])
        rows = cursor.fetchall()
    return JsonResponse({"results": rows})


@csrf_exempt  # WEB502: a cookie-authenticated POST view without the CSRF check
def import_draft(request):
    draft = pickle.loads(request.body)  # WEB403: the client's bytes are unpickled
    request.user.drafts.create(**draft)
    return JsonResponse({"ok": True})


@require_POST
def save_draft(request):
    # Done right: CSRF-checked, and the body is parsed as JSON.
    draft = json.loads(request.body)
    request.user.drafts.create(title=draft["title"], body=draft["body"])
    return JsonResponse({"ok": True})


@xframe_options_exempt  # WEB503: any site may frame this page
def account_settings(request):
    return HttpResponse("<form method='post'>...</form>")


@xframe_options_sameorigin  # only this site may frame the widget: silent
def comment_widget(request):
    return HttpResponse("<div id='comments'></div>")


def set_theme(request):
    response = JsonResponse({"ok": True})
    # Done right: the cookie is Secure, HttpOnly and SameSite.
    theme = request.GET.get("t", "light")
    response.set_cookie("theme", theme, secure=True, httponly=True, samesite="Lax")
    response.set_cookie("last_seen", "now", secure=False)  # WEB504: sent over plain HTTP too
    return response
