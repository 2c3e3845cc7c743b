"""Every API class says which permission code each of its methods needs.

The classes are found through the URL resolver, so an endpoint added later is checked without
being listed here. A method the class handles without a code would be refused at run time
(`common.permissions.MethodPermission` answers 403); this test names it before anyone calls it.
"""

import pytest
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from shouhu.accounts.roles import ROLE_PERMISSIONS
from shouhu.accounts.tests.factories import make_user
from shouhu.common.api_views import ScopedAPIView
from shouhu.common.permissions import PUBLIC, SIGNED_IN, MethodPermission, required_perms
from shouhu.common.tests.test_scope_leaks import discovered
from shouhu.orgs.permissions import OrgPerm

# OPTIONS describes the endpoint and HEAD is GET without its body: neither is declared apart.
DERIVED = {"options", "head"}


def api_classes() -> dict[str, type[APIView]]:
    """Shouhu's API classes by URL name (the documentation pages are drf-spectacular's own)."""
    found = {}
    for name, _route, pattern in discovered():
        view_class = getattr(pattern.callback, "cls", None)
        if (
            isinstance(view_class, type)
            and issubclass(view_class, APIView)
            and view_class.__module__.startswith("shouhu.")
        ):
            found[name] = view_class
    return found


def handled_methods(view_class: type[APIView]) -> set[str]:
    return {
        method.upper()
        for method in view_class.http_method_names
        if method not in DERIVED and callable(getattr(view_class, method, None))
    }


def test_x7_the_walk_finds_the_api():
    classes = api_classes()
    assert len(classes) > 60
    assert "api-token" in classes
    assert "api-me" in classes


@pytest.mark.parametrize("name", sorted(api_classes()))
def test_x7_every_api_method_declares_its_permission_code(name):
    view_class = api_classes()[name]
    declared = required_perms(view_class)
    handled = handled_methods(view_class)
    assert MethodPermission in view_class.permission_classes, f"{name} 没有按方法检查权限"
    missing = handled - set(declared)
    assert not missing, f"{name} 的 {sorted(missing)} 没有声明权限代码（公开接口须声明 PUBLIC）"
    stale = set(declared) - handled
    assert not stale, f"{name} 声明了不处理的方法 {sorted(stale)}"
    granted = set().union(*ROLE_PERMISSIONS.values())
    unknown = {code for code in declared.values() if code not in granted | {PUBLIC, SIGNED_IN}}
    assert not unknown, f"{name} 的权限代码 {sorted(unknown)} 不属于任何角色"


def test_x7_public_endpoints_are_only_the_declared_ones():
    public = {
        name for name, view_class in api_classes().items() if PUBLIC in required_perms(view_class).values()
    }
    # The token exchange is how an API client signs in: it cannot need a signed-in user.
    assert public == {"api-token"}


class _Probe(ScopedAPIView):
    required_perms = {"GET": OrgPerm.VIEW}

    def get(self, request: Request) -> Response:
        return Response({})

    def post(self, request: Request) -> Response:  # no code declared: never served
        return Response({})


def test_x7_a_method_answers_to_its_own_code_only(county_user):
    factory = APIRequestFactory()
    probe = _Probe.as_view()

    def call(method, user):
        request = getattr(factory, method)("/probe/")
        if user is not None:
            force_authenticate(request, user=user)
        return probe(request).status_code

    assert call("get", county_user) == 200
    assert call("head", county_user) == 200
    assert call("options", county_user) == 200
    assert call("post", county_user) == 403  # handled, but no code: refused
    assert call("put", county_user) == 405  # not handled: the same answer for everyone
    assert call("get", None) == 403
    assert call("options", None) == 403
    assert call("get", make_user("", county_user.unit)) == 403  # signed in, without the code
