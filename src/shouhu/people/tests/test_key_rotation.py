"""X2: a management command re-encrypts everything under a new key and rebuilds the indexes."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from shouhu.common import crypto, keyring
from shouhu.common.crypto import FIELD, INDEX
from shouhu.common.models import ImportJob, PersonalDataKey
from shouhu.people.idcard import check_digit
from shouhu.people.models import Person
from shouhu.people.services import PersonInput, person_register

pytestmark = pytest.mark.django_db

FIRST17 = "23270019500308123"
NUMBER = FIRST17 + check_digit(FIRST17)
NEW_INDEX_KEY = "a-new-index-key-of-forty-characters-long"


@pytest.fixture
def keys(settings):
    original = (list(settings.SHOUHU_FIELD_KEYS), settings.SHOUHU_BLIND_INDEX_KEY)
    try:
        yield settings
    finally:
        settings.SHOUHU_FIELD_KEYS, settings.SHOUHU_BLIND_INDEX_KEY = original
        crypto.reset_key_cache()


def _raw_id_number(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_x2_rotation_re_encrypts_under_the_new_key(keys, tree, county_user):
    person = person_register(
        actor=county_user,
        data=PersonInput(name="钱七", home_unit=tree.village_a, id_number=NUMBER, phone="13812345678"),
    ).person
    old_key = keys.SHOUHU_FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    keys.SHOUHU_FIELD_KEYS = [new_key, old_key]
    crypto.reset_key_cache()
    call_command("rotate_personal_data_keys", stdout=io.StringIO())
    keys.SHOUHU_FIELD_KEYS = [new_key]
    crypto.reset_key_cache()
    assert Person.objects.get(pk=person.pk).id_number == NUMBER
    assert Fernet(new_key.encode()).decrypt(_raw_id_number(person.pk).encode()).decode() == NUMBER
    keys.SHOUHU_FIELD_KEYS = [old_key]
    crypto.reset_key_cache()
    with pytest.raises(crypto.DecryptionFailed):
        Person.objects.get(pk=person.pk)


def test_x2_reindex_keeps_exact_search_working_under_a_new_index_key(keys, tree, county_user, client):
    person_register(
        actor=county_user,
        data=PersonInput(name="孙八", home_unit=tree.village_a, id_number=NUMBER, phone="13812345678"),
    )
    keys.SHOUHU_BLIND_INDEX_KEY = NEW_INDEX_KEY
    crypto.reset_key_cache()
    client.force_login(county_user)
    before = client.post("/people/find/", {"id_number": NUMBER}, follow=True)
    assert [p.name for p in before.context["page"]] == []
    assert [p.check_id for p in keyring.problems()] == ["shouhu_keys.E006"]  # noticed at start
    call_command("rotate_personal_data_keys", "--reindex", stdout=io.StringIO())
    assert keyring.problems() == []
    assert keyring.recorded()[1] == crypto.fingerprint(INDEX, NEW_INDEX_KEY)
    after = client.post("/people/find/", {"id_number": NUMBER}, follow=True)
    assert [p.name for p in after.context["page"]] == ["孙八"]
    by_phone = client.post("/people/find/", {"phone": "13812345678"}, follow=True)
    assert [p.name for p in by_phone.context["page"]] == ["孙八"]


def test_x2_rotation_updates_the_record_so_the_old_key_may_go(keys, tree, county_user):
    person_register(
        actor=county_user,
        data=PersonInput(name="周九", home_unit=tree.village_a, phone="13812345678"),
    )
    job = ImportJob.objects.create(
        kind="people", filename="p.csv", content=crypto.encrypt_bytes(b"data"), created_by=county_user
    )
    old_key, new_key = keys.SHOUHU_FIELD_KEYS[0], Fernet.generate_key().decode()
    keys.SHOUHU_FIELD_KEYS = [new_key]
    crypto.reset_key_cache()
    assert [p.check_id for p in keyring.problems()] == ["shouhu_keys.E005"]  # the old key is still needed
    keys.SHOUHU_FIELD_KEYS = [new_key, old_key]
    crypto.reset_key_cache()
    assert keyring.problems() == []
    call_command("rotate_personal_data_keys", stdout=io.StringIO())
    assert keyring.recorded()[0] == {crypto.fingerprint(FIELD, new_key)}
    keys.SHOUHU_FIELD_KEYS = [new_key]
    crypto.reset_key_cache()
    assert keyring.problems() == []
    job.refresh_from_db()
    assert Fernet(new_key.encode()).decrypt(bytes(job.content)) == b"data"  # stored files too


def test_x2_rotation_refuses_keys_that_cannot_read_the_data(keys, tree, county_user):
    person = person_register(
        actor=county_user,
        data=PersonInput(name="吴十", home_unit=tree.village_a, id_number=NUMBER),
    ).person
    keys.SHOUHU_FIELD_KEYS = [Fernet.generate_key().decode()]  # the old key is gone
    crypto.reset_key_cache()
    with pytest.raises(CommandError, match="无法读取"):
        call_command("rotate_personal_data_keys", stdout=io.StringIO())
    assert PersonalDataKey.objects.filter(kind=FIELD).count() == 1  # the record still names the old key
    assert _raw_id_number(person.pk)  # nothing was rewritten
