"""Views for mysite: one template compiled from request data, one done right."""
from django.http import HttpResponse
from django.template import Context, Template

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
