"""X7 and the tour of issue 14: a page that refuses a submitted form answers 400, as the API does,
whichever page it is. Every page of the project (no API, no admin) is sent a form with none of its fields by a
county clerk and by the region's administrator, who between them hold every write; an answer
of 200 that shows a form's errors fails the test."""

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.common.tests.test_scope_leaks import (  # noqa: F401  the fixtures by name
    _keywords,
    _region_wide_values,
    _url,
    discovered,
    two_counties,
    user_a,
)

pytestmark = pytest.mark.django_db

# What a page shows next to a refused field or above a refused form (Bootstrap's and Django's).
ERROR_MARKS = ('class="invalid-feedback', "is-invalid", 'class="errorlist')


# Posting these ends the session or changes the language for the rest of the walk.
SKIPPED = {"accounts:logout", "set_language"}


def _shows_errors(html: str) -> bool:
    return any(mark in html for mark in ERROR_MARKS)


def test_x7_every_page_answers_a_refused_form_with_400(client, tree, plan_campaign, two_counties):  # noqa: F811
    objects_a, _ = two_counties
    values = {k: o.pk for k, o in objects_a.items()} | _region_wide_values(plan_campaign)
    users = [make_user("county_staff", tree.county_a), make_user("region_admin", tree.region)]
    answered_200, tried = [], 0
    for user in users:
        client.force_login(user)
        for name, route, _ in discovered():
            if name in SKIPPED or route.startswith("api/") or any(k not in values for k in _keywords(route)):
                continue
            url = _url(route, values)
            response = client.post(url, {"probe": "x"})  # not empty: `Form(request.POST or None)` binds it
            tried += 1
            html = "text/html" in response.get("Content-Type", "")
            if response.status_code == 200 and html and _shows_errors(response.content.decode()):
                answered_200.append(f"{user.role} POST {url} ({name})")
    assert tried > 100
    assert not answered_200, "这些页面拒绝表单时返回 200 而不是 400：\n" + "\n".join(
        sorted(set(answered_200))
    )
