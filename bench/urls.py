"""The project's URLs plus bare views that the benchmarks use as baselines.

Benchmarks switch to it with `override_settings(ROOT_URLCONF="bench.urls")`, so a bare view
goes through exactly the same middleware as the page it is compared with.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import Context, Template
from django.urls import path

from shouhu.accounts.scope import subtree
from shouhu.config.urls import urlpatterns as project_urlpatterns
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Person

BARE_UNITS_PAGE_SIZE = 50
BARE_UNITS_TEMPLATE = Template(
    '<!doctype html><html><head><meta charset="utf-8"><title>units</title></head><body>\n'
    "<table><thead><tr><th>编码</th><th>名称</th><th>类型</th><th>地址</th><th>状态</th></tr></thead>\n"
    "<tbody>{% for unit in units %}\n"
    '<tr><td class="code">{{ unit.code }}</td><td><a href="/orgs/{{ unit.pk }}/">{{ unit.name }}</a></td>'
    "<td>{{ unit.kind_label }}</td><td>{{ unit.address }}</td><td>{{ unit.get_status_display }}</td></tr>"
    "{% endfor %}</tbody></table>\n"
    "<p>共 {{ count }} 条</p></body></html>\n"
)


@login_required
def bare_units(request: HttpRequest) -> HttpResponse:
    """What a hand-written Django view needs for the same page: the user's unit, the subtree
    query with a COUNT for pagination, 50 rows, a minimal table."""
    scope = request.user.unit  # type: ignore[union-attr]
    units = OrgUnit.objects.filter(path__startswith=scope.path).order_by("path")
    count = units.count()
    context = Context({"units": units[:BARE_UNITS_PAGE_SIZE], "count": count})
    return HttpResponse(BARE_UNITS_TEMPLATE.render(context))


BARE_PEOPLE_PAGE_SIZE = 50
BARE_PEOPLE_TEMPLATE = Template(
    '<!doctype html><html><head><meta charset="utf-8"><title>people</title></head><body>\n'
    "<table><thead><tr><th>姓名</th><th>性别</th><th>证件号码</th><th>手机号</th><th>所属单位</th></tr></thead>\n"
    "<tbody>{% for p in people %}\n"
    '<tr><td><a href="/people/{{ p.pk }}/">{{ p.name }}</a></td><td>{{ p.get_gender_display }}</td>'
    "<td>{{ p.id_number_masked }}</td><td>{{ p.phone_masked }}</td><td>{{ p.home_unit.name }}</td></tr>"
    "{% endfor %}</tbody></table>\n"
    "<p>共 {{ count }} 条</p></body></html>\n"
)


def _bare_people_query(request: HttpRequest) -> QuerySet[Person]:
    """The user's subtree as a range of unit paths (home_unit__path__gte/__lt), not merged away,
    in the person list's order; the unit joined for its name. No categories."""
    scope = request.user.unit  # type: ignore[union-attr]
    return (
        Person.objects.filter(subtree(scope.path, field="home_unit"), merged_into__isnull=True)
        .select_related("home_unit")
        .order_by("home_unit__path", "name", "pk")
    )


@login_required
def bare_people(request: HttpRequest) -> HttpResponse:
    """A hand-written view of the person list: the scoped query with a COUNT, 50 rows (the ID
    and phone numbers decrypted by the field and masked), a minimal table."""
    people = _bare_people_query(request)
    count = people.count()
    context = Context({"people": people[:BARE_PEOPLE_PAGE_SIZE], "count": count})
    return HttpResponse(BARE_PEOPLE_TEMPLATE.render(context))


@login_required
def bare_people_json(request: HttpRequest) -> JsonResponse:
    """The same as JSON: what a hand-written endpoint needs for the API's first page."""
    people = _bare_people_query(request)
    count = people.count()
    results = [
        {
            "id": p.pk,
            "name": p.name,
            "gender": p.gender,
            "birth_date": p.birth_date,
            "id_type": p.id_type,
            "id_number": p.id_number_masked,
            "phone": p.phone_masked,
            "address": p.address,
            "household_registration": p.household_registration,
            "home_unit": p.home_unit_id,
            "home_unit_name": p.home_unit.name,
            "deceased_on": p.deceased_on,
        }
        for p in people[:BARE_PEOPLE_PAGE_SIZE]
    ]
    return JsonResponse({"count": count, "results": results}, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("bench/bare-units/", bare_units, name="bench_bare_units"),
    path("bench/bare-people/", bare_people, name="bench_bare_people"),
    path("bench/bare-people.json", bare_people_json, name="bench_bare_people_json"),
    *project_urlpatterns,
]
