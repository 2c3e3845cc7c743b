"""Encryption of personal data at rest (X2, PIPL).

Keys come from the environment, never from SECRET_KEY: `SHOUHU_FIELD_KEYS` lists Fernet keys,
newest first (MultiFernet decrypts with any, encrypts with the first, so keys rotate without
downtime), and `SHOUHU_BLIND_INDEX_KEY` keys the HMAC "blind index" that lets staff find a
person by exact ID or phone number without decrypting every row. A wrong or missing key
raises; ciphertext is never returned as if it were data.

Which keys the stored data needs is recorded in the database by fingerprint (common.keyring),
so a server started with keys that cannot read it refuses instead of failing on every read.
"""

import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

FIELD = "field"
INDEX = "index"
# The blind index is only as strong as its key: a short or guessable one lets whoever holds the
# database try every ID number. A Fernet key (44 characters) or `secrets.token_urlsafe(50)`
# passes; a word does not.
MIN_INDEX_KEY_LENGTH = 32


class PersonalDataKeyError(ImproperlyConfigured):
    pass


class DecryptionFailed(RuntimeError):
    """Stored personal data cannot be read with the configured keys."""


@dataclass(frozen=True)
class KeyProblem:
    """What is wrong with the keys, said without the keys: `status` is what /healthz shows
    ("missing", "invalid" or "mismatch"), `check_id` the system check's id."""

    check_id: str
    status: str
    message: str
    hint: str = ""


def settings_keys() -> tuple[list[str], str]:
    return [k for k in settings.SHOUHU_FIELD_KEYS if k], settings.SHOUHU_BLIND_INDEX_KEY


def keys_in_force() -> tuple[list[str], str]:
    """The field keys (newest first) and the blind-index key: from the settings, or on a
    `local` install from its keys file, which is made here for a database without personal
    data and refused for one that has some (common.keyring.local_keys)."""
    field, index = settings_keys()
    if (field and index) or not settings.SHOUHU_LOCAL_KEYS_FILE:
        return field, index
    from shouhu.common import keyring  # it queries models whose fields come from this module

    return keyring.local_keys()


def key_problems(field: list[str], index: str) -> list[KeyProblem]:
    """Checks the keys' form (no database needed): present, valid Fernet keys, a long index key."""
    problems = []
    if not field:
        problems.append(
            KeyProblem(
                "shouhu_keys.E001",
                "missing",
                "个人信息加密密钥未配置 (SHOUHU_FIELD_KEYS is not set)",
                "设置环境变量 SHOUHU_FIELD_KEYS（Fernet 密钥，新的在前，逗号分隔）",
            )
        )
    for position, key in enumerate(field, start=1):
        try:
            Fernet(key)
        except ValueError:
            problems.append(
                KeyProblem(
                    "shouhu_keys.E002",
                    "invalid",
                    f"SHOUHU_FIELD_KEYS 的第 {position} 个密钥不是有效的 Fernet 密钥 "
                    f"(key {position} of SHOUHU_FIELD_KEYS is not a valid Fernet key)",
                    "Fernet 密钥是 32 字节的 URL 安全 Base64 编码（44 个字符），生成方法见 README",
                )
            )
    if not index:
        problems.append(
            KeyProblem(
                "shouhu_keys.E003",
                "missing",
                "个人信息检索密钥未配置 (SHOUHU_BLIND_INDEX_KEY is not set)",
                "设置环境变量 SHOUHU_BLIND_INDEX_KEY（至少 32 个随机字符）",
            )
        )
    elif len(index) < MIN_INDEX_KEY_LENGTH:
        problems.append(
            KeyProblem(
                "shouhu_keys.E004",
                "invalid",
                f"SHOUHU_BLIND_INDEX_KEY 太短：至少 {MIN_INDEX_KEY_LENGTH} 个字符 "
                f"(SHOUHU_BLIND_INDEX_KEY is shorter than {MIN_INDEX_KEY_LENGTH} characters)",
                '用 python3 -c "import secrets; print(secrets.token_urlsafe(50))" 生成',
            )
        )
    return problems


def fingerprint(kind: str, key: str) -> str:
    """Names a key without revealing it: an HMAC-SHA256 of a fixed label under the key.

    Equal keys give equal fingerprints; the key cannot be computed back from one (the keys are
    random, and the index key's length is checked above)."""
    label = f"shouhu personal-data key fingerprint\x00{kind}".encode()
    return hmac.new(key.encode(), label, hashlib.sha256).hexdigest()


@functools.cache
def _cipher() -> tuple[MultiFernet, str]:
    """The cipher and the fingerprint of the key it encrypts with."""
    keys = keys_in_force()[0]
    if not keys:
        raise PersonalDataKeyError("个人信息加密密钥未配置：请设置环境变量 SHOUHU_FIELD_KEYS")
    try:
        return MultiFernet([Fernet(key) for key in keys]), fingerprint(FIELD, keys[0])
    except ValueError as error:
        raise PersonalDataKeyError("SHOUHU_FIELD_KEYS 中有无效的密钥") from error


@functools.cache
def _index_key() -> bytes:
    key = keys_in_force()[1]
    if not key:
        raise PersonalDataKeyError("个人信息检索密钥未配置：请设置环境变量 SHOUHU_BLIND_INDEX_KEY")
    if len(key) < MIN_INDEX_KEY_LENGTH:
        raise PersonalDataKeyError(f"SHOUHU_BLIND_INDEX_KEY 太短：至少 {MIN_INDEX_KEY_LENGTH} 个字符")
    return key.encode()


def reset_key_cache() -> None:
    """Forget cached keys (after settings change: tests, key rotation)."""
    _cipher.cache_clear()
    _index_key.cache_clear()


def _writing_cipher() -> MultiFernet:
    """The cipher for new ciphertext, once its key is in the database's record of keys."""
    cipher, primary = _cipher()
    from shouhu.common import keyring  # see keys_in_force

    keyring.note_field_key(primary)
    return cipher


def encrypt(plaintext: str) -> str:
    return _writing_cipher().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _cipher()[0].decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionFailed("无法解密个人信息：密钥错误或数据损坏") from error


def encrypt_bytes(data: bytes) -> bytes:
    return _writing_cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _cipher()[0].decrypt(token)
    except InvalidToken as error:
        raise DecryptionFailed("无法解密上传的文件：密钥错误或数据损坏") from error


def rotate(token: str) -> str:
    """Re-encrypt under the newest key."""
    try:
        return _writing_cipher().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionFailed("无法解密个人信息：密钥错误或数据损坏") from error


def rotate_bytes(token: bytes) -> bytes:
    try:
        return _writing_cipher().rotate(token)
    except InvalidToken as error:
        raise DecryptionFailed("无法解密上传的文件：密钥错误或数据损坏") from error


def blind_index(kind: str, normalised: str) -> str:
    """A keyed hash of a normalised value: equal values give equal indexes, nothing else leaks."""
    if not normalised:
        return ""
    return hmac.new(_index_key(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees plaintext. Search through a blind index."""

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: object) -> object:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


# Blind indexes, which `rotate_personal_data_keys --reindex` rebuilds under a new index key: each app
# registers its own from `AppConfig.ready()` (model label → index field → how a row computes it),
# and a convention test holds that every `*_index` field of every model is registered.
_blind_indexes: dict[str, dict[str, Callable[[Any], str]]] = {}


def register_blind_index(label: str, field: str, compute: Callable[[Any], str]) -> None:
    _blind_indexes.setdefault(label, {})[field] = compute


def registered_blind_indexes() -> dict[str, dict[str, Callable[[Any], str]]]:
    return {label: dict(fields) for label, fields in sorted(_blind_indexes.items())}


# Encrypted files kept in binary fields (encrypt_bytes), which the rotation re-encrypts too.
ENCRYPTED_BINARY_FIELDS = {"common.ImportJob": ["content"]}


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted text fields, and those fields' names."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found
