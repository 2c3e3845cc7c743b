"""X2: personal-data keys are checked at start: well formed, and able to read the stored data
(a fingerprint of each key the data needs is recorded, never the key)."""

import io
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from shouhu.common import crypto, keyring
from shouhu.common.crypto import FIELD, INDEX
from shouhu.common.models import PersonalDataKey
from shouhu.people.models import Person
from shouhu.people.services import PersonInput, person_register

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[4]
GOOD_INDEX_KEY = "an-index-key-long-enough-to-be-accepted"


@pytest.fixture
def keys(settings):
    """Change the keys for one test; the cached ciphers follow, and are reset afterwards."""

    def use(field: list[str] | None = None, index: str | None = None) -> None:
        if field is not None:
            settings.SHOUHU_FIELD_KEYS = field
        if index is not None:
            settings.SHOUHU_BLIND_INDEX_KEY = index
        crypto.reset_key_cache()

    yield use
    crypto.reset_key_cache()


@pytest.fixture
def person(tree, county_user):
    return person_register(
        actor=county_user, data=PersonInput(name="张三", home_unit=tree.village_a, phone="13812345678")
    ).person


def _check_ids(*args: str) -> set[str]:
    try:
        call_command("check", *args, stdout=io.StringIO(), stderr=io.StringIO())
    except SystemCheckError as error:
        return set(re.findall(r"\((shouhu_keys\.[EW]\d+)\)", str(error)))
    return set()


def _check_output(*args: str) -> str:
    with pytest.raises(SystemCheckError) as raised:
        call_command("check", *args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(raised.value)


def test_x2_a_key_that_is_not_a_fernet_key_fails_check_deploy_and_healthz(keys, client):
    keys(field=["not-a-fernet-key"])
    for args in ((), ("--deploy",)):
        output = _check_output(*args)
        assert "shouhu_keys.E002" in output
        assert "第 1 个密钥不是有效的 Fernet 密钥" in output
        assert "not-a-fernet-key" not in output  # the message never shows a key
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["personal_data_keys"] == "invalid"
    assert "not-a-fernet-key" not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "index", "expected", "status"),
    [
        ([], None, "shouhu_keys.E001", "missing"),
        (None, "", "shouhu_keys.E003", "missing"),
        (None, "too-short-index-key", "shouhu_keys.E004", "invalid"),
        ([Fernet.generate_key().decode(), "2nd-key-is-bad"], None, "shouhu_keys.E002", "invalid"),
    ],
)
def test_x2_missing_or_malformed_keys_are_check_errors(keys, client, field, index, expected, status):
    keys(field=field, index=index)
    assert expected in _check_ids()
    response = client.get("/healthz")
    assert (response.status_code, response.json()["personal_data_keys"]) == (503, status)


def test_x2_good_keys_pass_the_check(client, person):
    assert _check_ids("--tag", "shouhu_keys") == set()
    assert _check_ids("--deploy", "--tag", "shouhu_keys") == set()
    assert client.get("/healthz").json()["personal_data_keys"] == "ok"


def test_x2_the_first_data_written_under_a_key_records_its_fingerprint_not_the_key(keys, tree, county_user):
    new_key = Fernet.generate_key().decode()
    old_key = crypto.settings_keys()[0][0]
    keys(field=[new_key, old_key])
    assert crypto.fingerprint(FIELD, new_key) not in keyring.recorded()[0]
    person_register(
        actor=county_user, data=PersonInput(name="李四", home_unit=tree.village_a, phone="13900000000")
    )
    field, index = keyring.recorded()
    assert field == {crypto.fingerprint(FIELD, new_key), crypto.fingerprint(FIELD, old_key)}
    assert index == crypto.fingerprint(INDEX, crypto.settings_keys()[1])
    stored = json.dumps(list(PersonalDataKey.objects.values()), default=str)
    assert new_key not in stored
    assert old_key not in stored
    assert crypto.settings_keys()[1] not in stored
    # Dropping the new key now would lose the data written under it: refused.
    keys(field=[old_key])
    assert [p.check_id for p in keyring.problems()] == ["shouhu_keys.E005"]


def test_x2_a_database_restored_under_other_keys_is_refused_by_fingerprint(keys, client, person):
    old_fingerprint = crypto.fingerprint(FIELD, crypto.settings_keys()[0][0])
    new_key = Fernet.generate_key().decode()
    keys(field=[new_key])
    output = _check_output()
    assert "shouhu_keys.E005" in output
    assert old_fingerprint[:12] in output  # names the missing key by its fingerprint …
    assert new_key not in output  # … and never a key
    response = client.get("/healthz")
    assert (response.status_code, response.json()["personal_data_keys"]) == (503, "mismatch")


def test_x2_a_changed_index_key_without_reindex_is_refused(keys, client, person):
    keys(index=GOOD_INDEX_KEY)
    output = _check_output()
    assert "shouhu_keys.E006" in output
    assert "--reindex" in output
    assert GOOD_INDEX_KEY not in output
    assert client.get("/healthz").status_code == 503
    call_command("rotate_personal_data_keys", "--reindex", stdout=io.StringIO())
    assert _check_ids() == set()
    assert client.get("/healthz").status_code == 200


def test_x2_a_database_from_before_the_record_is_checked_against_a_sample(keys, person):
    PersonalDataKey.objects.all().delete()
    right = crypto.settings_keys()[0]
    keys(field=[Fernet.generate_key().decode()])
    assert [p.check_id for p in keyring.problems()] == ["shouhu_keys.E007"]
    keyring.record_keys_in_use()
    assert not PersonalDataKey.objects.exists()  # keys that cannot read the data are not adopted
    keys(field=right)
    assert keyring.problems() == []
    keyring.record_keys_in_use()  # what migrate does after an upgrade
    assert keyring.recorded()[0] == {crypto.fingerprint(FIELD, right[0])}


@pytest.fixture
def local_keys_file(settings, tmp_path, keys):
    path = tmp_path / "personal-data-keys.json"
    settings.SHOUHU_LOCAL_KEYS_FILE = str(path)
    keys(field=[], index="")
    return path


def test_x2_local_keys_are_not_made_for_a_database_restored_without_them(person, local_keys_file, client):
    with pytest.raises(crypto.PersonalDataKeyError) as raised:
        Person.objects.get(pk=person.pk)
    message = str(raised.value)
    assert "请从备份中恢复这个文件" in message
    assert "Restore that file from the backup" in message
    assert str(local_keys_file) in message
    assert not local_keys_file.exists()
    assert "shouhu_keys.E008" in _check_output()
    response = client.get("/healthz")
    assert (response.status_code, response.json()["personal_data_keys"]) == (503, "missing")
    assert not local_keys_file.exists()


def test_x2_local_keys_are_made_once_for_a_database_without_personal_data(local_keys_file, tree, county_user):
    PersonalDataKey.objects.all().delete()  # a new database: nothing recorded, nothing encrypted
    assert keyring.problems() == []
    person = person_register(
        actor=county_user, data=PersonInput(name="王五", home_unit=tree.village_a, phone="13812345678")
    ).person
    assert stat.S_IMODE(local_keys_file.stat().st_mode) == 0o600
    made = json.loads(local_keys_file.read_text())
    crypto.reset_key_cache()
    assert Person.objects.get(pk=person.pk).phone == "13812345678"  # read back with the same file
    assert json.loads(local_keys_file.read_text()) == made
    assert keyring.recorded()[0] == {crypto.fingerprint(FIELD, made["field_keys"][0])}
    assert keyring.problems() == []


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, this project's manage.py
        [sys.executable, str(PROJECT_DIR / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_DIR,
    )


def _local_env(var: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SHOUHU_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "shouhu.config.settings.local",
        "SHOUHU_VAR_DIR": str(var),
        "PYTHONPATH": str(PROJECT_DIR / "src"),
    }


def test_x2_local_install_makes_keys_once_and_refuses_a_restore_without_them(tmp_path):
    env = _local_env(tmp_path)
    keys_file = tmp_path / "personal-data-keys.json"
    first = _manage(env, "migrate", "--noinput", "-v", "0")
    assert first.returncode == 0, first.stderr
    made = keys_file.read_text()  # a fresh clone: keys made by the first migrate
    again = _manage(env, "migrate", "--noinput", "-v", "0")
    assert again.returncode == 0, again.stderr
    assert keys_file.read_text() == made  # the second run keeps them
    keys_file.rename(tmp_path / "elsewhere.json")  # the database restored without its keys file
    refused = _manage(env, "check")
    assert refused.returncode != 0
    assert "shouhu_keys.E008" in refused.stderr
    assert "Restore that file from the backup" in refused.stderr
    assert not keys_file.exists()  # no new keys were made
    (tmp_path / "elsewhere.json").rename(keys_file)
    restored = _manage(env, "check")
    assert restored.returncode == 0, restored.stderr


def test_x2_the_wsgi_server_refuses_to_start_with_an_invalid_key(tmp_path):
    env = {
        **_local_env(tmp_path),
        "DJANGO_SETTINGS_MODULE": "shouhu.config.settings.production",
        "SECRET_KEY": "x" * 50,
        "SHOUHU_FIELD_KEYS": "not-a-fernet-key",
        "SHOUHU_BLIND_INDEX_KEY": GOOD_INDEX_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    started = subprocess.run(
        [sys.executable, "-c", "import shouhu.config.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert "shouhu_keys.E002" in started.stderr
    assert "not-a-fernet-key" not in started.stderr


def test_x2_every_blind_index_is_rebuilt_by_the_reindex():
    """A model's `*_index` search key that `--reindex` did not know would stop matching, silently,
    the day the index key changes: every one must be registered (`register_blind_index`)."""
    from django.apps import apps

    registered = {
        (label, field) for label, fields in crypto.registered_blind_indexes().items() for field in fields
    }
    found = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        if model.__module__.startswith("shouhu.")
        for field in model._meta.concrete_fields
        if field.name.endswith("_index") and not field.editable
    }
    assert ("screening.Screening", "visitor_name_index") in found
    assert found == registered
