"""X8 and the tour of issue 14: every demo login's menu leads to pages that answer, in the
reader's language. A link a role is shown must not answer 403 or 404; the menu, headings, table
headers, labels and buttons of a Chinese page carry no untranslated English word, and those of
the English page no Chinese (the data — unit and person names — aside, which is why h1 and
select options are not read on the English page)."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

from shouhu.accounts.demo import DEMO_LOGINS
from shouhu.accounts.models import User

pytestmark = pytest.mark.django_db

# Words that are the same in both languages: abbreviations, file formats, and the switch to English.
ENGLISH_ALLOWED = {
    "API",
    "CSV",
    "xlsx",
    "XLSX",
    "Excel",
    "PDF",
    "ID",
    "QR",
    "HMT",
    "IPv6",
    "OpenAPI",
    "English",
}
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
LABEL_TAGS = {"nav", "th", "label", "button", "h2", "h1"}


def _is_data(tag: str, attributes: dict[str, str | None]) -> bool:
    """Text that is data, not a label: the user's unit and name, a table row's unit, a language
    named in itself (the switch offers 简体中文 on the English page)."""
    return (
        (tag != "html" and "lang" in attributes)
        or attributes.get("data-testid") == "user-unit"
        or (tag == "th" and attributes.get("scope") == "row")
    )


class _Labels(HTMLParser):
    """The text of the page's menu, headings, table headers, labels and buttons, and its links."""

    def __init__(self, tags: set[str]) -> None:
        super().__init__()
        self.tags = tags
        self.open: list[str] = []
        self.texts: list[str] = []
        self.menu_links: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.skipping or _is_data(tag, attributes):
            self.skipping.append(tag)
            return
        if tag in self.tags:
            self.open.append(tag)
        if tag == "a" and "nav" in self.open:
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.menu_links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                del self.skipping[len(self.skipping) - 1 - self.skipping[::-1].index(tag)]
            return
        if tag in self.tags and tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag)]

    def handle_data(self, data: str) -> None:
        if self.open and not self.skipping and data.strip():
            self.texts.append(data.strip())


def _read(html: str, tags: set[str]) -> _Labels:
    parser = _Labels(tags)
    parser.feed(html)
    return parser


def _english_words(texts: list[str]) -> list[str]:
    return [w for text in texts for w in ENGLISH_WORD.findall(text) if w not in ENGLISH_ALLOWED]


def test_x8_every_menu_link_of_every_role_answers_in_the_readers_language():
    call_command("load_demo", stdout=io.StringIO())  # one load for every login: it takes a while
    refused, english_on_chinese, chinese_on_english = [], [], []
    for login in [d.username for d in DEMO_LOGINS]:
        client = Client()
        client.force_login(User.objects.get(username=login))
        home = client.get("/")
        assert home.status_code == 200
        links = _read(home.content.decode(), {"nav"}).menu_links
        assert links, f"{login}：菜单没有链接"
        for link in dict.fromkeys(links):
            if link.startswith("/admin/"):  # Django's admin: accounts/tests/test_admin.py reads it
                continue
            response = client.get(link)
            if response.status_code in (403, 404):
                refused.append(f"{login} {link} → {response.status_code}")
                continue
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            words = _english_words(_read(response.content.decode(), LABEL_TAGS).texts)
            if words:
                english_on_chinese.append(f"{login} {link}: {sorted(set(words))[:8]}")
            english = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
            texts = _read(english.content.decode(), {"nav", "th", "label", "button", "h2"}).texts
            chinese = [t for t in texts if CHINESE.search(t)]
            if chinese:
                chinese_on_english.append(f"{login} {link}: {chinese[:6]}")
    assert not refused, f"菜单中的链接被拒绝：{refused}"
    assert not english_on_chinese, f"中文页面上有未翻译的英文：{english_on_chinese}"
    assert not chinese_on_english, f"英文页面上有中文标签：{chinese_on_english}"
