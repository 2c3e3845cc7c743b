"""Dates, years and numbers from a request are bounded before use (common.bounds).

The six server errors a probe found with extreme values each have a test here; the walkers
below send such values in every query parameter that the project's GET pages and API list
endpoints declare, and the census fails on any form or serializer field of the project that
would take an unbounded date or number.
"""

import datetime as dt
import importlib
import pkgutil
from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

import shouhu
from shouhu.accounts.tests.factories import make_user
from shouhu.campaigns.models import Campaign
from shouhu.common import bounds
from shouhu.common.errors import DomainError
from shouhu.common.redirects import is_local_path
from shouhu.common.tests.test_scope_leaks import NOT_LISTS, _keywords, _registries, _url, discovered
from shouhu.vaccination.models import MobilisationContact
from shouhu.vaccination.tests.factories import make_person

pytestmark = pytest.mark.django_db

LAST_DAY = "9999-12-31"
FIRST_DAY = "0001-01-01"
HUGE = "99999999999999999999"
EXTREMES = (LAST_DAY, FIRST_DAY, HUGE)


# --- The six server errors the probe found ---------------------------------------------------


def test_creating_a_campaign_on_the_calendars_last_day_is_refused(client, region_admin):
    client.force_login(region_admin)
    response = client.post("/campaigns/new/", {"name": "演练", "starts_on": LAST_DAY})
    assert response.status_code == 400
    assert "日期须在 1900-01-01 至 2100-12-31 之间" in response.content.decode()
    assert not Campaign.objects.exists()


def test_suspensions_active_on_the_calendars_last_day_are_refused(client, region_admin):
    client.force_login(region_admin)
    response = client.get(f"/campaigns/suspensions/?active_on={LAST_DAY}")
    assert response.status_code == 400
    assert "生效日期：日期须在 1900-01-01 至 2100-12-31 之间" in response.content.decode()
    api = client.get(f"/api/v1/suspensions/?active_on={LAST_DAY}")
    assert api.status_code == 400
    assert api.json()["error"]["fields"]["active_on"] == ["日期须在 1900-01-01 至 2100-12-31 之间"]


def test_screening_records_of_the_calendars_first_day_are_refused(client, region_admin):
    client.force_login(region_admin)
    response = client.get(f"/screening/records/?day={FIRST_DAY}")
    assert response.status_code == 400
    assert "日期须在 1900-01-01 至 2100-12-31 之间" in response.content.decode()
    # No export either: one without the filter asked for would hand out every record.
    export = client.get(f"/screening/records/?day={FIRST_DAY}&export=xlsx")
    assert export.status_code == 400
    assert "spreadsheetml" not in export["Content-Type"]


def test_daily_figures_ending_on_the_calendars_first_day_are_refused(client, region_admin):
    client.force_login(region_admin)
    response = client.get(f"/screening/records/daily/?end={FIRST_DAY}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "截止日期：日期须在 1900-01-01 至 2100-12-31 之间" in html
    assert "以下为最近几天的数量" in html


def test_holidays_of_a_year_past_any_calendar_are_refused(client, region_admin):
    client.force_login(region_admin)
    response = client.get(f"/campaigns/holidays/?year={HUGE}")
    assert response.status_code == 400
    assert "年份须在 1900 至 2100 之间" in response.content.decode()
    api = client.get(f"/api/v1/holidays/?year={HUGE}")
    assert api.status_code == 400
    assert api.json()["error"]["fields"] == {"year": ["年份：年份须在 1900 至 2100 之间"]}
    assert client.get("/campaigns/holidays/?year=2022").status_code == 200


def test_a_next_that_is_not_a_path_goes_back_to_the_persons_record(client, tree, county_user):
    person = make_person(tree.village_a)
    client.force_login(county_user)
    contact = {"contacted_on": "2022-01-05", "method": "visit", "outcome": "hesitant", "next_step": "再联系"}
    url = f"/vaccination/people/{person.pk}/contacts/new/"
    for wrong in ("x", "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(f"{url}?next={wrong}", contact)
        assert response.status_code == 302, wrong
        assert response["Location"] == f"/vaccination/people/{person.pk}/", wrong
    back = client.post(f"{url}?next=/vaccination/todo/%3Fpage%3D2", contact)
    assert back["Location"] == "/vaccination/todo/?page=2"
    assert MobilisationContact.objects.count() == 6


# --- The helpers -----------------------------------------------------------------------------


def test_local_paths_only():
    assert is_local_path("/vaccination/todo/?page=2")
    for wrong in (
        "",
        "x",
        "todo/",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/a",
        "javascript:x",
    ):
        assert not is_local_path(wrong), wrong


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-01-05", dt.date(2022, 1, 5)),
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("2100-12-31", dt.date(2100, 12, 31)),
        ("1899-12-31", None),
        ("2101-01-01", None),
        (LAST_DAY, None),
        (FIRST_DAY, None),
        ("2022-02-30", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_day_keeps_to_the_span(raw, expected):
    assert bounds.parse_day(raw) == expected


def test_form_fields_refuse_what_lies_outside():
    class Probe(forms.Form):
        day = bounds.DateField()
        moment = bounds.DateTimeField()
        number = bounds.IntegerField()
        year = bounds.YearField()

    refused = Probe({"day": LAST_DAY, "moment": f"{FIRST_DAY}T00:00", "number": HUGE, "year": "99999"})
    assert set(refused.errors) == {"day", "moment", "number", "year"}
    accepted = Probe({"day": "2022-01-05", "moment": "2022-01-05T10:00", "number": "7", "year": "2022"})
    assert accepted.is_valid(), accepted.errors


def test_api_fields_refuse_what_lies_outside():
    class Probe(serializers.Serializer):
        day = bounds.ApiDateField()
        moment = bounds.ApiDateTimeField()
        number = bounds.ApiIntegerField()

    # A naive datetime of year 1 made DRF overflow while placing it in the server's zone.
    refused = Probe(data={"day": FIRST_DAY, "moment": f"{FIRST_DAY}T00:00", "number": HUGE})
    assert not refused.is_valid()
    assert set(refused.errors) == {"day", "moment", "number"}
    assert Probe(data={"day": "2022-01-05", "moment": "2022-01-05T10:00", "number": 7}).is_valid()


def test_importers_refuse_dates_outside_the_span():
    from shouhu.screening.importers import parse_date

    assert parse_date("2022-01-05", field="starts_on", label="开始日期") == dt.date(2022, 1, 5)
    with pytest.raises(DomainError, match="1900-01-01 至 2100-12-31") as refused:
        parse_date("9999-12-31", field="starts_on", label="开始日期")
    assert refused.value.field_errors == {"starts_on": [refused.value.message]}


# --- Every form and serializer of the project ------------------------------------------------


def _project_modules():
    for info in pkgutil.walk_packages(shouhu.__path__, "shouhu."):
        if (
            ".tests" in info.name
            or ".migrations" in info.name
            or info.name.startswith("shouhu.config.settings")
        ):
            continue
        yield importlib.import_module(info.name)


def _subclasses(base):
    found, pending = set(), [base]
    while pending:
        for cls in pending.pop().__subclasses__():
            if cls not in found:
                found.add(cls)
                pending.append(cls)
    return {cls for cls in found if cls.__module__.startswith("shouhu.")}


def _form_problems(name, field):
    if isinstance(field, forms.DateTimeField | forms.SplitDateTimeField) and not isinstance(
        field, bounds.DateTimeField | bounds.SplitDateTimeField
    ):
        return [f"{name}: 日期时间未限定范围（用 bounds.DateTimeField）"]
    if isinstance(field, forms.DateField) and not isinstance(field, bounds.DateField):
        return [f"{name}: 日期未限定范围（用 bounds.DateField）"]
    if isinstance(field, forms.DecimalField):  # a subclass of IntegerField: its digits bound it
        return [] if field.max_digits is not None else [f"{name}: 小数未限定位数"]
    if isinstance(field, forms.IntegerField) and (field.min_value is None or field.max_value is None):
        return [f"{name}: 整数未限定上下限（用 bounds.IntegerField）"]
    return []


def _serializer_problems(name, field, is_input):
    if isinstance(field, serializers.DateTimeField) and not isinstance(field, bounds.ApiDateTimeField):
        return [f"{name}: 日期时间未限定范围（用 bounds.ApiDateTimeField）"]
    if isinstance(field, serializers.DateField) and not isinstance(field, bounds.ApiDateField):
        return [f"{name}: 日期未限定范围（用 bounds.ApiDateField）"]
    if (
        is_input
        and not field.read_only
        and isinstance(field, serializers.IntegerField)
        and (field.min_value is None or field.max_value is None)
    ):
        return [f"{name}: 整数未限定上下限（用 bounds.ApiIntegerField）"]
    return []


def test_every_form_field_of_the_project_is_bounded():
    list(_project_modules())
    problems, seen = [], 0
    for form in _subclasses(forms.BaseForm):
        # Form classes that build fields in __init__ are checked on their declared ones; the
        # callers pass choices, not dates.
        for name, field in form.base_fields.items():
            problems += _form_problems(f"{form.__module__}.{form.__qualname__}.{name}", field)
            seen += 1
    assert seen > 100
    assert not problems, "\n".join(sorted(problems))


def test_every_serializer_field_of_the_project_is_bounded():
    list(_project_modules())
    problems, seen = [], 0
    for serializer in _subclasses(serializers.Serializer):
        if serializer.__module__ == "shouhu.common.bounds" or serializer.__name__.startswith("Lean"):
            continue
        try:
            fields = serializer().fields
        except (TypeError, AssertionError):
            continue  # a base class that cannot stand alone; its subclasses are checked
        is_input = not serializer.__name__.endswith("Output") and serializer.__module__ != "shouhu.common.api"
        for name, field in fields.items():
            problems += _serializer_problems(
                f"{serializer.__module__}.{serializer.__qualname__}.{name}", field, is_input
            )
            seen += 1
    assert seen > 100
    assert not problems, "\n".join(sorted(problems))


def test_every_admin_form_is_bounded(tree):
    superuser = make_user("region_admin", tree.region)
    superuser.is_superuser = superuser.is_staff = True
    request = RequestFactory().get("/admin/")
    request.user = superuser
    problems, checked = [], 0
    from django.apps import apps

    for model in apps.get_models():
        if not admin.site.is_registered(model) or not model.__module__.startswith("shouhu."):
            continue
        model_admin = admin.site.get_model_admin(model)
        form = model_admin.get_form(request)
        for name, field in form.base_fields.items():
            problems += _form_problems(f"admin {model.__name__}.{name}", field)
        checked += 1
    assert checked >= 5
    assert not problems, "\n".join(sorted(problems))


# --- Every GET page and API list with extreme values -----------------------------------------


class _GetForms(HTMLParser):
    """The names of the fields of a page's GET forms."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._in_get_form = (attributes.get("method") or "get").lower() == "get"
        elif (
            self._in_get_form
            and tag in {"input", "select", "textarea"}
            and attributes.get("name")
            and attributes.get("type") not in {"submit", "button"}
        ):
            self.names.add(attributes["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


# Parameters that pages read without a form (a day view's date, a report period, a year, the
# last screening at a desk); the page number goes to Django's paginator, which bounds it.
RAW_PARAMETERS = {"date", "period", "year", "last"}


@pytest.fixture
def walk_clients(client, tree, plan_campaign, region_admin):
    from django.test import Client

    county = Client()
    county.force_login(make_user("county_staff", tree.county_a))
    client.force_login(region_admin)
    return [client, county]


def _objects(tree):
    scoped, _ = _registries()
    return {keyword: maker(tree.county_a, "边界检查") for keyword, maker in scoped.items()}


def test_every_get_page_survives_extreme_values(walk_clients, tree):
    objects = _objects(tree)
    walked, failures, exercised = 0, [], set()
    for name, route, _ in discovered():
        keywords = _keywords(route)
        if name in NOT_LISTS or route.startswith(("api/", "admin/")):
            continue
        if any(k not in objects for k in keywords):
            continue
        url = _url(route, {k: objects[k].pk for k in keywords})
        for page_client in walk_clients:
            baseline = page_client.get(url)
            if baseline.status_code == 200 and baseline["Content-Type"].startswith("text/html"):
                break
        else:
            continue
        parser = _GetForms()
        parser.feed(baseline.content.decode())
        for parameter in sorted(parser.names | RAW_PARAMETERS):
            exercised.add((url, parameter))
            for value in EXTREMES:
                response = page_client.get(url, {parameter: value})
                if response.status_code >= 500:
                    failures.append(f"{url}?{parameter}={value} → {response.status_code}")
        walked += 1
    assert walked >= 25
    # The parameters of the probe's findings were among those walked.
    assert {
        ("/campaigns/suspensions/", "active_on"),
        ("/screening/records/", "day"),
        ("/screening/records/daily/", "end"),
        ("/campaigns/holidays/", "year"),
        ("/funerals/", "date_from"),
        ("/vaccination/doses/", "date_to"),
    } <= exercised
    assert not failures, "\n".join(failures)


def test_every_api_get_endpoint_survives_extreme_values(walk_clients, tree):
    objects = _objects(tree)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    walked, failures, exercised = 0, [], set()
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        values = {
            k: objects[k].pk for k in _keywords(path.replace("{", "<").replace("}", ">")) if k in objects
        }
        if path.count("{") != len(values):
            continue
        url = path.format(**values)
        query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        api_client = next((c for c in walk_clients if c.get(url).status_code == 200), None)
        if api_client is None:
            continue
        for parameter in query:
            exercised.add((path, parameter))
            for value in EXTREMES:
                response = api_client.get(url, {parameter: value})
                if response.status_code >= 500:
                    failures.append(f"{url}?{parameter}={value} → {response.status_code}")
        walked += 1
    assert walked >= 15
    assert {("/api/v1/suspensions/", "active_on"), ("/api/v1/holidays/", "year")} <= exercised
    assert not failures, "\n".join(failures)


def test_a_refused_filter_sent_by_htmx_goes_to_the_full_page(client, region_admin):
    """htmx swaps only 2xx answers: the browser is sent to the full page, which shows the error."""
    client.force_login(region_admin)
    url = f"/campaigns/suspensions/?active_on={LAST_DAY}"
    swapped = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results")
    assert swapped.status_code == 400
    assert swapped["HX-Redirect"] == url
    assert swapped.content == b""
    valid = client.get(
        "/campaigns/suspensions/?active_on=2022-01-05", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results"
    )
    assert valid.status_code == 200
    assert "HX-Redirect" not in valid
