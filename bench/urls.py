"""The project's URLs plus bare views that the benchmarks use as baselines.

Benchmarks switch to it with `override_settings(ROOT_URLCONF="bench.urls")`, so a bare view
goes through exactly the same middleware as the page it is compared with.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.urls import path

from shouhu.config.urls import urlpatterns as project_urlpatterns
from shouhu.orgs.models import OrgUnit

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


urlpatterns = [
    path("bench/bare-units/", bare_units, name="bench_bare_units"),
    *project_urlpatterns,
]
