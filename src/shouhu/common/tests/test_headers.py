"""Headers every answer carries: no caching of what a signed-in user sees, a Content Security Policy."""

import pytest
from rest_framework.authtoken.models import Token

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
    token = Token.objects.create(user=county_user)
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
