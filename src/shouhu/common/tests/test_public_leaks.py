"""X2: nothing about a person reaches someone who has only typed their number.

Every URL of the project is requested without logging in. Each page that answers is read for
its forms, and each form is filled the way a stranger would fill it: with the ID number and the
phone number of a person the register knows (one in isolation, one deceased, one with a
marriage booking) and plausible values everywhere else, then submitted once per submit button,
following the pages it leads to. Every API operation is called the same way. No answer may name
the person, their isolation, their death or their booking. A public page added later is found
and filled by the same walk; a URL keyword the walk cannot fill fails the test until it is
taught below (PUBLIC_VALUES).
"""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.test import Client

from shouhu.common.tests.test_scope_leaks import _keywords, _url, discovered

pytestmark = pytest.mark.django_db

# Words that would tell a stranger about the person: their isolation, death or booking.
TELLING = (
    "隔离",
    "死亡",
    "已有一个有效",
    "已有有效",
    "治丧",
    "isolation",
    "quarantine",
    "deceased",
    "death",
    "already has",
    "已取消",
    "Cancelled",
    "already holds",
    # The answer after both codes for someone the register holds with a phone: reaching it at
    # all means the stranger proved a phone that is not the register's.
    "现场核实",
    "checked in person",
    "预约成功",
    "Appointment booked",
)
# The stranger's own phone, typed wherever a phone is asked first: codes sent to it are read.
STRANGER_PHONE = "13612345678"
# The companion typed beside the victim (the other party of a couple): known to nobody.
COMPANION_ID = "110101199003077758"
COMPANION_PHONE = "13712345678"
MAX_DEPTH = 3  # a form, the page it leads to (codes), and that page's forms


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> candidate values
    kinds: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "submit":
                form.buttons.append((name, a.get("value", "")))
                return
            form.kinds[name] = kind
            form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "button" and a.get("type", "submit") == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            form.kinds[name] = "textarea"
            form.fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
            form.kinds[name] = "select"
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


@dataclass
class Victim:
    label: str
    name: str
    id_number: str
    phone: str
    also_secret: tuple[str, ...] = ()  # e.g. their booking's code
    # What the answer may say of this person: for someone the register holds without a phone, that
    # they must come in person (nothing tells them from the holder of their ID card; security.md).
    allowed: tuple[str, ...] = ()
    # Nobody the register knows: the walk books in their name (as anyone may) and so reaches the
    # pages after a booking; what it is told there is about its own booking.
    control: bool = False

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.name, *self.also_secret)


def _fill(form: Form, victim: Victim, day: dt.date, first_phone: str) -> dict[str, str]:
    """What a stranger types: the victim's numbers (the first ID and phone asked; a companion's
    for any further one), the first real choice, plausible text; formset rows stay empty."""
    data: dict[str, str] = {}
    ids = iter([victim.id_number, COMPANION_ID])
    phones = iter([first_phone, COMPANION_PHONE])
    for name, values in form.fields.items():
        kind = form.kinds.get(name, "text")
        lowered = name.lower()
        if re.search(r"-\d+-", name):
            data[name] = ""
        elif kind == "hidden":
            data[name] = values[0]
        elif kind in ("checkbox", "radio"):
            data[name] = next((v for v in values if v), "on")
        elif kind == "select":
            data[name] = next((v for v in values if v), "")
        elif "id_number" in lowered or lowered.endswith("id_no"):
            data[name] = next(ids, COMPANION_ID)
        elif "phone" in lowered:
            data[name] = next(phones, COMPANION_PHONE)
        elif "code" in lowered:
            data[name] = _code_received(name)
        elif kind == "date" or "date" in lowered or lowered.endswith("_on"):
            data[name] = values[0] or day.isoformat()
        elif "name" in lowered:
            data[name] = "陌生人"
        else:
            data[name] = values[0] or "1"
    # Travel formsets and the like need no rows: a declaration without travel is valid.
    return data


def _texts_received():
    """The text messages the stranger's own phones received, newest first."""
    from shouhu.notifications.models import OutboxMessage
    from shouhu.people.idcard import phone_key

    mine = OutboxMessage.objects.filter(
        phone_index__in=[phone_key(STRANGER_PHONE), phone_key(COMPANION_PHONE)]
    )
    return mine.order_by("-pk")


def _code_received(field_name: str) -> str:
    """The newest code the stranger's phones received for this field: a booking's code for "code",
    a party's one-time code for "code_a" (甲) and "code_b" (乙); a guess when none came."""
    if field_name == "code":
        for message in _texts_received():
            found = re.search(r"(?:预约码|候补码) ([A-Z0-9]{8})", message.body)
            if found:
                return found[1]
        return "AAAAAAAA"
    party = {"a": "甲", "b": "乙"}.get(field_name.rsplit("_", 1)[-1], "")
    for message in _texts_received():
        found = re.search(r"当事人([甲乙])验证码 (\d{6})", message.body)
        if found and found[1] == party:
            return found[2]
    return "000000"


def _told(text: str, victim: Victim) -> list[str]:
    if victim.control:
        return []
    return [word for word in (*TELLING, *victim.secrets) if word in text and word not in victim.allowed]


@dataclass
class Walk:
    victim: Victim
    day: dt.date
    first_phone: str = STRANGER_PHONE
    pages: int = 0
    posts: int = 0
    seen: set[tuple[str, str, tuple[str, str]]] = field(default_factory=set)
    leaks: list[str] = field(default_factory=list)

    def read(self, where: str, text: str) -> None:
        told = _told(text, self.victim)
        if told:
            self.leaks.append(f"{where}：{told}")

    def page(self, client: Client, url: str, depth: int = 0) -> None:
        response = client.get(url, follow=True)
        self.pages += 1
        final = response.request["PATH_INFO"]
        if final != urlsplit(url).path and final.startswith("/accounts/login/"):
            return  # a staff page sent us to log in (naming only its own path): walked on its own
        text = response.content.decode("utf-8", errors="replace")
        self.read(f"GET {url}", text)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        self.forms(client, final, text, depth)

    def forms(self, client: Client, base: str, html: str, depth: int) -> None:
        if depth >= MAX_DEPTH:
            return
        parser = _Forms()
        parser.feed(html)
        for form in parser.forms:
            if form.method != "post":
                continue
            target = urlsplit(urljoin(base, form.action or base)).path
            if target.startswith("/i18n/"):
                continue  # the language switch: each language is walked with its own client
            for button in form.buttons or [("", "")]:
                key = (target, ",".join(sorted(form.fields)), button)
                if key in self.seen:
                    continue
                self.seen.add(key)
                data = _fill(form, self.victim, self.day, self.first_phone)
                if button[0]:
                    data[button[0]] = button[1]
                response = client.post(target, data, follow=True)
                self.posts += 1
                text = response.content.decode("utf-8", errors="replace")
                self.read(f"POST {target} {button}", text)
                if response.status_code < 500 and "html" in response.get("Content-Type", ""):
                    self.forms(client, response.request["PATH_INFO"], text, depth + 1)


@pytest.fixture
def public_world(tree, plan_campaign):
    """A registry, a venue code, and three people the register knows things about."""
    from shouhu.common import clock
    from shouhu.marriage.tests.factories import MONDAY, book, first_slot, make_registry, party, resident_id
    from shouhu.people.services import PersonInput, person_record_death, person_register
    from shouhu.screening import services as screening
    from shouhu.screening.models import IsolationKind

    registry = make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)
    venue = screening.venue_code_issue(actor=None, unit=tree.nursing_home_a)

    def registered(name: str, number: str, tel: str):
        return person_register(
            actor=None, data=PersonInput(name=name, home_unit=tree.village_a, id_number=number, phone=tel)
        ).person

    isolated = Victim("isolated", "隔离者钱某", resident_id(501), "13900000501")
    screening.isolation_record(
        actor=None,
        person=registered(isolated.name, isolated.id_number, isolated.phone),
        kind=IsolationKind.CENTRALISED,
        starts_on=clock.today(),
        source="卫健部门推送",
    )
    deceased = Victim("deceased", "已故者孙某", resident_id(502), "13900000502")
    person_record_death(
        actor=None,
        person=registered(deceased.name, deceased.id_number, deceased.phone),
        died_on=clock.today() - dt.timedelta(days=1),
    )
    booked_number, booked_phone = resident_id(503), "13900000503"
    booking = book(
        registry, first_slot(registry), a=party("预约者李某", id_number=booked_number, tel=booked_phone)
    )
    booked = Victim("booked", "预约者李某", booked_number, booked_phone, also_secret=(booking.code,))
    phoneless = Victim(
        "isolated, no phone on record",
        "无手机者周某",
        resident_id(504),
        "13900000504",
        allowed=("现场核实", "checked in person"),
    )
    screening.isolation_record(
        actor=None,
        person=registered(phoneless.name, phoneless.id_number, ""),
        kind=IsolationKind.CENTRALISED,
        starts_on=clock.today(),
        source="卫健部门推送",
    )
    unknown = Victim("nobody the register knows", "陌生人", resident_id(505), "13900000505", control=True)
    return {
        "registry": registry,
        "venue": venue,
        "day": MONDAY,
        "victims": [isolated, deceased, booked, phoneless, unknown],
        "values": {"token": venue.token, "receipt": "x" * 20},
    }


# The API's own description: the same text for everyone, whatever is asked (it names endpoints
# such as the isolation register, never a person).
API_DESCRIPTIONS = {"schema", "api-docs", "api-redoc"}

# URL keywords a public page takes, and how the walk fills them (others are staff pages: any id).
PUBLIC_VALUES = {"token", "receipt"}


def _public_urls(world) -> list[str]:
    registry, day = world["registry"], world["day"]
    query = urlencode({"unit": registry.pk, "date": day.isoformat()})
    urls = []
    for _name, route, _pattern in discovered():
        if route.startswith("admin/") or "/api/" in f"/{route}" or route.startswith("api/"):
            continue
        values = {k: world["values"].get(k, 1) for k in _keywords(route)}
        urls.append(f"{_url(route, values)}?{query}")
    return urls


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_x2_no_public_page_tells_a_stranger_anything_about_a_person(public_world, language):
    from shouhu.common.models import AttemptCounter
    from shouhu.marriage.models import BookingParty
    from shouhu.people.idcard import document_key
    from shouhu.people.models import Person

    before = BookingParty.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    walks = [(v, phone) for v in public_world["victims"] for phone in (v.phone, STRANGER_PHONE)]
    booked_by_the_stranger = 0
    people_before = set(Person.objects.values_list("pk", flat=True))
    for victim, first_phone in walks:  # the stranger types the victim's phone, or their own
        AttemptCounter.objects.all().delete()  # each walk from another day and network
        texts_before = _texts_received().values_list("pk", flat=True).first() or 0
        walk = Walk(victim=victim, day=public_world["day"], first_phone=first_phone)
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        for url in _public_urls(public_world):
            walk.page(client, url)
        for message in _texts_received().filter(pk__gt=texts_before):
            walk.read(f"a text to the stranger's phone: {message.body}", message.body)
        assert not walk.leaks, f"{victim.label}: " + "；".join(walk.leaks)
        made = BookingParty.objects.filter(person__id_index=document_key(victim.id_number), pk__gt=before)
        if victim.control:
            booked_by_the_stranger += made.count()
            if first_phone == STRANGER_PHONE:  # its booking's texts came to the stranger's phone
                managed = {fields for target, fields, _b in walk.seen if target == "/marriage/book/manage/"}
                assert "action,csrfmiddlewaretoken" in managed, (
                    "the booking's own manage page was not reached"
                )
        else:
            assert not made.exists(), f"{victim.label}: a stranger booked in their name"
        # A phone proved on the public page never becomes the register's (it would make the
        # stranger the holder of that person's codes from then on).
        adopted = Person.objects.exclude(pk__in=people_before).exclude(phone_index="")
        assert not adopted.exists(), f"{victim.label}: the register took a phone typed by the public"
        # The walk must have reached the forms a stranger would use, or it proves nothing.
        posted = {target for target, _fields, _button in walk.seen}
        for needed in (
            "/marriage/book/",
            "/marriage/book/verify/",
            "/marriage/book/manage/",
            "/accounts/login/",
        ):
            assert needed in posted, f"{needed} was not submitted ({sorted(posted)})"
        assert any(target.startswith("/v/") for target in posted)
    # Booking for someone the register does not know works, so the walk did reach the pages
    # after a booking (done, manage with the booking's code).
    assert booked_by_the_stranger >= 1


def test_x2_the_walk_sees_what_a_stranger_would_be_told(public_world):
    """The walk itself can fail: a page that printed the person's isolation is caught."""
    victim = public_world["victims"][0]
    walk = Walk(victim=victim, day=public_world["day"])
    walk.read("a page", f"{victim.name}在 2022-01-10 尚处于集中隔离期")
    assert walk.leaks


def test_x2_no_api_operation_tells_an_anonymous_caller_anything_about_a_person(public_world):
    client = Client()
    checked = 0
    for victim in public_world["victims"]:
        body = json.dumps(
            {
                "id_number": victim.id_number,
                "phone": victim.phone,
                "name": victim.name,
                "username": victim.phone,
                "password": victim.id_number,
                "code": "000000",
            }
        )
        for name, route, _pattern in discovered():
            if not route.startswith("api/") or name in API_DESCRIPTIONS:
                continue
            url = _url(route, dict.fromkeys(_keywords(route), 1))
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(client, method)(
                    f"{url}?id_number={victim.id_number}&phone={victim.phone}",
                    body if method != "get" else None,
                    content_type="application/json",
                )
                assert response.status_code < 500, f"{method.upper()} {url}"
                told = _told(response.content.decode("utf-8", errors="replace"), victim)
                assert not told, f"{method.upper()} {url}: {told}"
                checked += 1
    assert checked > 100


def test_x2_a_venue_declaration_with_a_strangers_phone_was_really_made(public_world):
    """The walk's declaration is a real one (so its receipt was really read)."""
    from shouhu.screening.models import Screening

    victim = public_world["victims"][0]
    walk = Walk(victim=victim, day=public_world["day"], first_phone=victim.phone)
    walk.page(Client(), f"/v/{public_world['venue'].token}/")
    made = Screening.objects.get()
    assert "isolation" in made.reason_codes  # staff see it ...
    assert not walk.leaks  # ... the stranger does not


def test_x2_the_pages_walked_include_every_public_page(public_world):
    """Every page answering an anonymous GET with 200 is one the walk filled (none is missed)."""
    client = Client()
    public = []
    for url in _public_urls(public_world):
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            public.append(urlsplit(url).path)
    assert "/marriage/book/" in public
    assert any(re.match(r"^/v/[^/]+/$", path) for path in public)
