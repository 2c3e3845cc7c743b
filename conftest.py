"""Fixtures shared by every app's tests: a fixed clock, the plan's campaign, a small tree."""

import datetime as dt

import pytest

from shouhu.common import clock

# A day inside phase 1 of the plan (游子归来护卫行动, 2021-12-13 – 2022-01-30).
FIXED_NOW = dt.datetime(2022, 1, 5, 10, 0, tzinfo=clock.local_zone())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """migrate recorded the test keys (common.keyring); the first encryption of a process looks
    that up once, and doing it here keeps the look out of the tests' query counts."""
    from shouhu.common import crypto, keyring

    with django_db_blocker.unblock():
        keyring.note_field_key(crypto.fingerprint(crypto.FIELD, crypto.keys_in_force()[0][0]))


@pytest.fixture(autouse=True)
def fixed_clock():
    with clock.frozen(FIXED_NOW) as moment:
        yield moment


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language: LocaleMiddleware leaves the last request's language
    active in the thread, so a test that browsed in English made the next one's messages English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def plan_campaign(db):
    from shouhu.campaigns.plan import PLAN_PHASES
    from shouhu.campaigns.services import campaign_create

    return campaign_create(actor=None, starts_on=PLAN_PHASES[0].starts_on)


@pytest.fixture
def tree(db):
    """A region with two counties, each with a township, a village and institutions."""
    from shouhu.orgs.tests.factories import build_small_tree

    return build_small_tree()


@pytest.fixture
def region_admin(tree):
    from shouhu.accounts.tests.factories import make_user

    return make_user("region_admin", tree.region)


@pytest.fixture
def county_user(tree):
    from shouhu.accounts.tests.factories import make_user

    return make_user("county_staff", tree.county_a)


@pytest.fixture
def other_county_user(tree):
    from shouhu.accounts.tests.factories import make_user

    return make_user("county_staff", tree.county_b)
