"""Which keys the stored personal data needs, and refusing keys that cannot read it (X2).

The database keeps a record (`PersonalDataKey`) of fingerprints, never keys
(`crypto.fingerprint`): of every field key that has encrypted data still stored, and of the
blind-index key the search indexes were built with. A field key enters the record when it
first encrypts something (in the same transaction as that data) and when `migrate` runs; it
leaves only when `rotate_personal_data_keys` has re-encrypted everything under the newest key.
The index key is recorded once and replaced only by `rotate_personal_data_keys --reindex`.

At start (the system check, run by `check`, `migrate`, `runserver`, the worker and the WSGI
application) and on every /healthz, the configured keys are compared with the record: a
recorded field key that is not configured, or another index key, is an error. Restoring a
database without its keys, or dropping a key before the rotation, is refused at once instead
of turning every read of a person into a server error.
"""

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from shouhu.common import clock, crypto
from shouhu.common.crypto import FIELD, INDEX, KeyProblem, PersonalDataKeyError
from shouhu.common.models import PersonalDataKey

# Field-key fingerprints this process has seen committed in the record, and those it added in a
# transaction that has not committed yet (the row it sees may be its own, and may roll back).
_confirmed: set[str] = set()
_pending: set[str] = set()


def _record_exists(using: str) -> bool:
    return PersonalDataKey._meta.db_table in connections[using].introspection.table_names()


def note_field_key(fingerprint: str) -> None:
    """Make sure the key about to encrypt is in the record, in the transaction of the data.

    After the first confirmation this is a set lookup: encryption is on the hot path."""
    if fingerprint in _confirmed:
        return
    present = PersonalDataKey.objects.filter(kind=FIELD, fingerprint=fingerprint).exists()
    if present and (fingerprint not in _pending or transaction.get_autocommit()):
        _confirmed.add(fingerprint)
        _pending.discard(fingerprint)
        return
    if present:
        return  # our own insert, earlier in this transaction
    try:
        with transaction.atomic():
            PersonalDataKey.objects.create(kind=FIELD, fingerprint=fingerprint, recorded_at=clock.now())
    except IntegrityError:
        # Another process recorded it between our look and our insert, and committed it.
        _confirmed.add(fingerprint)
        return
    _pending.add(fingerprint)
    transaction.on_commit(lambda: _confirm(fingerprint))


def _confirm(fingerprint: str) -> None:
    _confirmed.add(fingerprint)
    _pending.discard(fingerprint)


def recorded(using: str = "default") -> tuple[set[str], str | None]:
    """The recorded field-key fingerprints and the index-key fingerprint (None: not recorded)."""
    rows = PersonalDataKey.objects.using(using).values_list("kind", "fingerprint")
    field = {fp for kind, fp in rows if kind == FIELD}
    index = next((fp for kind, fp in rows if kind == INDEX), None)
    return field, index


def personal_data_stored(using: str = "default") -> bool:
    """True when the database holds encrypted personal data, or a record of the keys that
    wrote some (a database whose data was deleted still had keys worth keeping)."""
    tables = set(connections[using].introspection.table_names())
    if PersonalDataKey._meta.db_table in tables and PersonalDataKey.objects.using(using).exists():
        return True
    for model, names in crypto.encrypted_fields():
        if model._meta.db_table not in tables:
            continue
        filled = Q()
        for name in names:
            filled |= ~Q(**{name: ""})
        if model._default_manager.using(using).filter(filled).exists():
            return True
    return False


def _unreadable_columns(field_keys: list[str], using: str) -> list[str]:
    """Encrypted columns whose first stored value the keys cannot decrypt (a sample, for a
    database whose keys were never recorded: one made before the record existed)."""
    cipher = MultiFernet([Fernet(key) for key in field_keys])
    unreadable = []
    for model, names in crypto.encrypted_fields():
        for name in names:
            # The cast reads the stored ciphertext itself, skipping the field's decryption.
            raw = (
                model._default_manager.using(using)
                .exclude(**{name: ""})
                .annotate(raw=Cast(name, TextField()))
                .values_list("raw", flat=True)
                .first()
            )
            if not raw:
                continue
            try:
                cipher.decrypt(raw.encode())
            except InvalidToken:
                unreadable.append(f"{model._meta.label}.{name}")
    return unreadable


def _short(fingerprints: set[str] | list[str]) -> str:
    return "、".join(sorted(fp[:12] for fp in fingerprints))


def record_problems(field_keys: list[str], index_key: str, using: str = "default") -> list[KeyProblem]:
    """Compares well-formed keys with the database's record (or, with no record, with a sample)."""
    if not _record_exists(using):
        return []
    field_recorded, index_recorded = recorded(using)
    if not field_recorded and index_recorded is None:
        if not personal_data_stored(using):
            return []
        unreadable = _unreadable_columns(field_keys, using)
        if not unreadable:
            return []
        return [
            KeyProblem(
                "shouhu_keys.E007",
                "mismatch",
                f"配置的 SHOUHU_FIELD_KEYS 无法解密数据库中已有的个人信息（{'、'.join(unreadable)}）"
                " (the configured keys cannot read the stored personal data)",
                "换回加密这些数据时使用的密钥（应与数据库备份一起保存）",
            )
        ]
    problems = []
    configured = {crypto.fingerprint(FIELD, key) for key in field_keys}
    missing = field_recorded - configured
    if missing:
        problems.append(
            KeyProblem(
                "shouhu_keys.E005",
                "mismatch",
                f"数据库中的个人信息是用指纹为 {_short(missing)} 的密钥加密的，"
                "SHOUHU_FIELD_KEYS 中没有这些密钥，这些数据无法读取 "
                f"(SHOUHU_FIELD_KEYS lacks the keys with fingerprints {_short(missing)}, "
                "which encrypted stored personal data)",
                "恢复原来的密钥（应与数据库备份一起保存）。更换密钥请按 README“Rotating the "
                "personal-data keys”：新密钥放在最前并保留旧密钥，运行 rotate_personal_data_keys "
                "之后再移除旧密钥",
            )
        )
    current_index = crypto.fingerprint(INDEX, index_key)
    if index_recorded is not None and index_recorded != current_index:
        problems.append(
            KeyProblem(
                "shouhu_keys.E006",
                "mismatch",
                f"SHOUHU_BLIND_INDEX_KEY（指纹 {current_index[:12]}）不是建立检索码时的密钥"
                f"（指纹 {index_recorded[:12]}）：按证件号、手机号精确查找会找不到人 "
                "(SHOUHU_BLIND_INDEX_KEY is not the key the search indexes were built with)",
                "换回原来的检索密钥，或运行 manage.py rotate_personal_data_keys --reindex 按新密钥重建检索码",
            )
        )
    return problems


MISSING_KEYS_FILE = (
    "数据库中已有个人信息，但找不到它的密钥文件 {path}。请从备份中恢复这个文件（它应与数据库备份"
    "放在一起）：新生成的密钥永远无法读取这些数据，所以不会自动生成。若这是可以丢弃的演示数据库，"
    "删除数据库文件后重新运行 make run。\n"
    "The database holds personal data but its keys file {path} is missing. Restore that file from "
    "the backup it was kept with: new keys could never read this data, so none are made. If this "
    "is a throwaway demo database, delete the database file and run make run again."
)


def _local_keys_file() -> Path:
    return Path(settings.SHOUHU_LOCAL_KEYS_FILE)


def _read_keys_file(path: Path) -> tuple[list[str], str]:
    stored = json.loads(path.read_text())
    return [k for k in stored["field_keys"] if k], stored["index_key"]


def _create_keys_file(path: Path) -> None:
    """Write new keys, unless another process has just written some (theirs are kept)."""
    keys = {"field_keys": [Fernet.generate_key().decode()], "index_key": Fernet.generate_key().decode()}
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(json.dumps(keys))
    try:
        os.link(draft, path)  # atomic, and fails if the file exists: the first writer wins
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def local_keys() -> tuple[list[str], str]:
    """A `local` install's keys, from its keys file, made once for a database without personal
    data; for a database with some (a backup restored without its keys file) new keys would
    never read it, so none are made and this raises."""
    path = _local_keys_file()
    if not path.exists():
        if personal_data_stored():
            raise PersonalDataKeyError(MISSING_KEYS_FILE.format(path=path))
        _create_keys_file(path)
    return _read_keys_file(path)


def problems(*, with_database: bool = True, using: str = "default") -> list[KeyProblem]:
    """Everything wrong with the keys, for the system check and /healthz. Makes no keys."""
    field, index = crypto.settings_keys()
    if (not field or not index) and settings.SHOUHU_LOCAL_KEYS_FILE:
        path = _local_keys_file()
        if not path.exists():
            if with_database and personal_data_stored(using):
                return [
                    KeyProblem(
                        "shouhu_keys.E008", "missing", MISSING_KEYS_FILE.format(path=path), "恢复密钥文件"
                    )
                ]
            return []  # made on first use, for this database without personal data
        field, index = _read_keys_file(path)
    found = crypto.key_problems(field, index)
    if found or not with_database:
        return found
    return record_problems(field, index, using)


def health() -> str:
    """ "ok", or the first problem's status ("missing", "invalid", "mismatch")."""
    found = problems()
    return found[0].status if found else "ok"


def record_keys_in_use(using: str = "default") -> None:
    """Record the configured newest field key and, if none is recorded, the index key (after
    `migrate`). Nothing is recorded while the keys do not match the record: that is the
    system check's error to report, and recording would hide it."""
    if not _record_exists(using) or problems(using=using):
        return
    field, index = crypto.keys_in_force()  # on a `local` install this makes the keys file
    now = clock.now()
    with transaction.atomic(using=using):
        PersonalDataKey.objects.using(using).get_or_create(
            kind=FIELD, fingerprint=crypto.fingerprint(FIELD, field[0]), defaults={"recorded_at": now}
        )
        if not PersonalDataKey.objects.using(using).filter(kind=INDEX).exists():
            PersonalDataKey.objects.using(using).create(
                kind=INDEX, fingerprint=crypto.fingerprint(INDEX, index), recorded_at=now
            )


def record_rotation(*, reindexed: bool, using: str = "default") -> None:
    """After every encrypted value was re-encrypted under the newest key: it is the only field
    key the data needs. After a reindex, the index key is the configured one."""
    field, index = crypto.keys_in_force()
    primary = crypto.fingerprint(FIELD, field[0])
    now = clock.now()
    with transaction.atomic(using=using):
        keys = PersonalDataKey.objects.using(using)
        keys.filter(kind=FIELD).exclude(fingerprint=primary).delete()
        keys.get_or_create(kind=FIELD, fingerprint=primary, defaults={"recorded_at": now})
        if reindexed:
            keys.filter(kind=INDEX).delete()
            keys.create(kind=INDEX, fingerprint=crypto.fingerprint(INDEX, index), recorded_at=now)
