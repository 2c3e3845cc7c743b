"""Headers every answer carries: no caching of what a signed-in user sees, a Content Security Policy."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from shouhu.accounts.tests.factories import PASSWORD
from shouhu.common import error_views
from shouhu.vaccination.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_x2_a_signed_in_users_pages_exports_and_api_are_not_stored(client, tree, county_user):
    person = make_person(tree.village_a, "张三")
    client.force_login(county_user)
    answers = {
        "person page": client.get(f"/people/{person.pk}/"),
        "export": client.get("/people/?export=xlsx"),
        "API list": client.get("/api/v1/people/"),
        "refusal": client.get("/funerals/cases/987654321/"),
    }
    for name, response in answers.items():
        assert response.status_code in {200, 404}, name
        assert {"no-store", "private"} <= _cache_control(response), name
    assert "spreadsheetml" in answers["export"]["Content-Type"]


def test_x2_a_token_users_api_answers_are_not_stored(client, county_user):
    issued = client.post("/api/v1/auth/token/", {"username": county_user.username, "password": PASSWORD})
    assert issued.status_code == 200
    assert {"no-store", "private"} <= _cache_control(issued)  # the token itself
    token = Token.objects.get(user=county_user)
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert {"no-store", "private"} <= _cache_control(response)


def test_public_pages_keep_never_cache_and_static_files_stay_cacheable(client):
    booking = client.get("/marriage/book/")
    assert booking.status_code == 200
    # never_cache's own directives stay (nobody is signed in: nothing is added).
    assert {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"} <= _cache_control(booking)
    static = client.get("/static/shouhu/site.css")
    assert static.status_code == 200
    assert "no-store" not in _cache_control(static)
    health = client.get("/healthz")  # an anonymous answer gets nothing added
    assert health.status_code == 200
    assert "Cache-Control" not in health


def test_a_public_page_seen_by_a_signed_in_clerk_keeps_never_cache(client, county_user):
    client.force_login(county_user)
    booking = client.get("/marriage/book/")
    assert {"no-cache", "no-store", "must-revalidate", "private", "max-age=0"} <= _cache_control(booking)
    assert "public" not in _cache_control(booking)


# --- Content Security Policy -------------------------------------------------------------------

PACKAGE_DIR = Path(__file__).resolve().parents[2]
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "event handler": re.compile(r"\s(?:on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_x2_pages_carry_a_policy_that_allows_only_their_own_files(client, county_user):
    client.force_login(county_user)
    for url in ("/", "/people/", "/no-such-page/", "/accounts/login/", "/marriage/book/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'", url
        assert directives["script-src"] == "'self'", url
        assert directives["style-src"] == "'self'", url
        assert directives["object-src"] == "'none'", url
        assert directives["frame-ancestors"] == "'none'", url
        assert "unsafe" not in policy, url


def test_x2_no_template_has_inline_script_style_or_handler():
    """The policy allows none of these: a new one would be blocked in the browser (and reported by
    tests/browser/test_security_policy.py); the static files shouhu/site.js and site.css carry them."""
    found = []
    for template in PACKAGE_DIR.rglob("templates/**/*.html"):
        relative = template.relative_to(PACKAGE_DIR).as_posix()
        if relative == "templates/500.html":
            continue  # stands alone, with its own policy (below)
        text = template.read_text(encoding="utf-8")
        for name, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{relative}:{line}: {name}")
    assert not found, "\n".join(found)


def test_x2_the_500_page_allows_only_its_own_style_block():
    response = error_views.server_error(RequestFactory().get("/people/"))
    assert response.status_code == 500
    html = response.content.decode()
    block = re.search(r"<style>(.*?)</style>", html, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    policy = response["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; ")
    assert f"style-src 'sha256-{digest}';" in policy
    assert "unsafe" not in policy


def test_x7_the_api_documentation_loads_nothing_from_outside(client):
    swagger = client.get("/api/docs/")
    assert "unsafe" not in swagger["Content-Security-Policy"]
    html = swagger.content.decode()
    assert "<style" not in html
    assert re.search(r'<script src="/api/docs/\?[^"]*script', html)  # the start script, not inline
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    redoc = client.get("/api/redoc/")
    html = redoc.content.decode()
    assert "fonts.googleapis.com" not in html
    assert "fonts.gstatic.com" not in html
    assert "<style" not in html
    # ReDoc's own policy: run-time styles and its search worker, still nothing from another host.
    policy = redoc["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "worker-src blob:" in policy
    assert "http" not in policy


def test_x7_the_api_documentation_names_no_other_host(client):
    """No address on another host in the documentation pages or Swagger UI's start script: every
    file they load comes from this server (ReDoc's web fonts from Google are gone)."""
    pages = {
        "/api/docs/": client.get("/api/docs/"),
        "/api/docs/?script=": client.get("/api/docs/?script="),
        "/api/redoc/": client.get("/api/redoc/"),
    }
    for page, response in pages.items():
        assert response.status_code == 200, page
        text = response.content.decode()
        addresses = re.findall(r"""(?:https?:)?//[^\s"'<>()]+""", text, re.IGNORECASE)
        foreign = [a for a in addresses if not re.match(r"(?:https?:)?//testserver(?:[/:?#]|$)", a, re.I)]
        assert foreign == [], page
        assert "@import" not in text
