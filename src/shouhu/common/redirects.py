"""Where a page goes back to: a `next` from the request only when it is a path of this site.

Django's `redirect()` reverses anything that is not a URL (`?next=x` raised NoReverseMatch, a
500), and a full URL of another host would send a clerk off the site. So `next` is accepted only
as a local path ("/vaccination/todo/?page=2"), checked by `url_has_allowed_host_and_scheme`
against this host, and anything else falls back to the page's own default.
"""

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_local_path(target: str) -> bool:
    """A path of this site ("/a/b/?c=d"): no scheme, no host, no way for a browser to read one in."""
    parts = urlsplit(target)
    return (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not parts.scheme
        and not parts.netloc
        and url_has_allowed_host_and_scheme(target, allowed_hosts=set())
    )


def next_path(request: HttpRequest, *, default: str) -> str:
    """The request's `next` (POST, else GET) if it is a local path, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local_path(target) else default


def redirect_next(request: HttpRequest, *, default: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(next_path(request, default=default))
