"""Encryption of personal data at rest (X2, PIPL).

Keys come from the environment, never from SECRET_KEY: `SHOUHU_FIELD_KEYS` lists Fernet keys,
newest first (MultiFernet decrypts with any, encrypts with the first, so keys rotate without
downtime), and `SHOUHU_BLIND_INDEX_KEY` keys the HMAC "blind index" that lets staff find a
person by exact ID or phone number without decrypting every row. A wrong or missing key
raises; ciphertext is never returned as if it were data.
"""

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class PersonalDataKeyError(ImproperlyConfigured):
    pass


class DecryptionFailed(RuntimeError):
    """Stored personal data cannot be read with the configured keys."""


@functools.cache
def _cipher() -> MultiFernet:
    keys = [k for k in getattr(settings, "SHOUHU_FIELD_KEYS", []) if k]
    if not keys:
        raise PersonalDataKeyError("个人信息加密密钥未配置：请设置环境变量 SHOUHU_FIELD_KEYS")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise PersonalDataKeyError("SHOUHU_FIELD_KEYS 中有无效的密钥") from error


@functools.cache
def _index_key() -> bytes:
    key = getattr(settings, "SHOUHU_BLIND_INDEX_KEY", "")
    if not key:
        raise PersonalDataKeyError("个人信息检索密钥未配置：请设置环境变量 SHOUHU_BLIND_INDEX_KEY")
    return key.encode()


def reset_key_cache() -> None:
    """Forget cached keys (after settings change: tests, key rotation)."""
    _cipher.cache_clear()
    _index_key.cache_clear()


def encrypt(plaintext: str) -> str:
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionFailed("无法解密个人信息：密钥错误或数据损坏") from error


def encrypt_bytes(data: bytes) -> bytes:
    return _cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _cipher().decrypt(token)
    except InvalidToken as error:
        raise DecryptionFailed("无法解密上传的文件：密钥错误或数据损坏") from error


def rotate(token: str) -> str:
    """Re-encrypt under the newest key."""
    try:
        return _cipher().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionFailed("无法解密个人信息：密钥错误或数据损坏") from error


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
