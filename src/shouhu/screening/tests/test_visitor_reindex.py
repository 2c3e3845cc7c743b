"""X2 × S1: a visitor's screenings are still found by name and phone after the index key changes
and `rotate_personal_data_keys --reindex` rebuilds the blind indexes."""

import io

import pytest
from django.core.management import call_command

from shouhu.common import crypto
from shouhu.screening import selectors, services
from shouhu.screening.tests.factories import GREEN

pytestmark = pytest.mark.django_db

NEW_INDEX_KEY = "a-new-index-key-of-forty-characters-long"


@pytest.fixture
def keys(settings):
    original = settings.SHOUHU_BLIND_INDEX_KEY
    try:
        yield settings
    finally:
        settings.SHOUHU_BLIND_INDEX_KEY = original
        crypto.reset_key_cache()


def test_x2_reindex_rebuilds_the_visitors_name_and_phone_indexes(keys, tree, county_user):
    visit = services.screening_record(
        actor=county_user,
        unit=tree.nursing_home_a,
        facts=GREEN,
        visitor_name="访客 甲",
        visitor_phone="13800138000",
    )

    def found(text):
        filters = selectors.ScreeningFilters(search=text)
        return list(
            selectors.screening_list(viewer=county_user, filters=filters).values_list("pk", flat=True)
        )

    assert found("访客 甲") == found("13800138000") == [visit.pk]
    keys.SHOUHU_BLIND_INDEX_KEY = NEW_INDEX_KEY
    crypto.reset_key_cache()
    assert found("访客 甲") == found("13800138000") == []
    call_command("rotate_personal_data_keys", "--reindex", stdout=io.StringIO())
    assert found("访客 甲") == found("13800138000") == [visit.pk]
