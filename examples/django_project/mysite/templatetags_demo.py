"""Template filters for mysite (would live in an app's templatetags/ package)."""
from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def highlight(text, term):
    # Both the post text and the search term come from users, and neither is escaped.
    return mark_safe(text.replace(term, "<mark>%s</mark>" % term))  # WEB303


@register.filter
def highlight_escaped(text, term):
    # Done right: every part is escaped before the result is marked safe.
    marked = format_html("<mark>{}</mark>", term)
    return mark_safe(conditional_escape(text).replace(conditional_escape(term), marked))


@register.simple_tag
def user_link(user):
    return mark_safe('<a href="/u/%s">%s</a>' % (user.pk, user.get_full_name()))  # WEB303


@register.simple_tag
def user_link_escaped(user):
    # Done right: format_html escapes its arguments.
    return format_html('<a href="/u/{}">{}</a>', user.pk, user.get_full_name())
