"""X1 for staffing alone: another county's leave and trips answer 404 on every page and endpoint,
as a missing one does, and lists and exports show nothing of it (the project-wide walk in
common/tests/test_scope_leaks.py covers the same with every app's objects)."""

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.common.tests.test_scope_leaks import _keywords, _request, _text_of, _url, discovered
from shouhu.staffing.tests.scope_cases import SCOPED_OBJECTS

pytestmark = pytest.mark.django_db


def _ours(name):
    return bool(name) and (name.startswith("staffing:") or name.startswith(("api-staff", "api-travel")))


def test_r4_other_countys_leave_and_trips_answer_404_and_leak_nowhere(client, tree, plan_campaign):
    user_a = make_user("county_staff", tree.county_a)
    own = {keyword: maker(tree.county_a, "甲县检查") for keyword, maker in SCOPED_OBJECTS.items()}
    other = {keyword: maker(tree.county_b, "乙县泄漏") for keyword, maker in SCOPED_OBJECTS.items()}
    client.force_login(user_a)
    exercised = listed = 0
    for name, route, _ in discovered():
        if not _ours(name):
            continue
        keywords = _keywords(route)
        if not keywords:
            for variant in (_url(route, {}), _url(route, {}) + "?export=xlsx"):
                response = client.get(variant)
                if response.status_code == 200:
                    assert "乙县泄漏" not in _text_of(response), variant
                    listed += 1
            continue
        assert client.get(_url(route, {k: own[k].pk for k in keywords})).status_code != 404, name
        refused = _request(client, _url(route, {k: other[k].pk for k in keywords}))
        assert refused.status_code == 404, f"{name} 对他县对象返回 {refused.status_code}"
        missing = _request(client, _url(route, dict.fromkeys(keywords, 987654321)))
        assert missing.content == refused.content, name
        exercised += 1
    assert exercised >= 10
    assert listed >= 8
