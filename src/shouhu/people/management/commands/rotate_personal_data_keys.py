"""Re-encrypt every personal-data field under the newest key, and rebuild the search indexes.

Rotation, step by step (README): put the new Fernet key first in SHOUHU_FIELD_KEYS and keep the
old one after it; run this command; then remove the old key. With a new SHOUHU_BLIND_INDEX_KEY,
run it with --reindex so exact search by ID and phone keeps working.
"""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Model, TextField, Value
from django.db.models.functions import Cast

from shouhu.common import crypto
from shouhu.common.crypto import EncryptedTextField
from shouhu.people.idcard import InvalidPhone, document_key, phone_key

BATCH = 1000


def encrypted_fields() -> list[tuple[type[Model], list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def _phone_index(value: str) -> str:
    try:
        return phone_key(value) if value else ""
    except InvalidPhone:
        return ""


# Models whose blind indexes are rebuilt with --reindex: index field → how it is computed.
REINDEX = {
    "people.Person": {
        "id_index": lambda row: document_key(row.id_number) if row.id_number else "",
        "phone_index": lambda row: _phone_index(row.phone),
    },
    "screening.Screening": {"visitor_phone_index": lambda row: _phone_index(row.visitor_phone)},
}


class Command(BaseCommand):
    help = "用最新密钥重新加密全部个人信息字段；--reindex 同时按新的检索密钥重建检索码"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reindex", action="store_true", help="按 SHOUHU_BLIND_INDEX_KEY 重建检索码")

    def handle(self, *args: object, reindex: bool = False, **options: object) -> None:
        crypto.reset_key_cache()
        for model, names in encrypted_fields():
            rotated = self._rotate(model, names)
            self.stdout.write(f"{model._meta.verbose_name}：重新加密 {rotated} 行")
        if reindex:
            for label, indexes in REINDEX.items():
                try:
                    model = apps.get_model(label)
                except LookupError:
                    continue
                count = self._reindex(model, indexes)
                self.stdout.write(f"{model._meta.verbose_name}：重建检索码 {count} 行")
        self.stdout.write(self.style.SUCCESS("完成。确认无误后，可从 SHOUHU_FIELD_KEYS 中移除旧密钥。"))

    def _rotate(self, model: type[Model], names: list[str]) -> int:
        # Read the stored ciphertext itself (a cast skips the field's decryption) and write the
        # rotated token back as plain text (a Value skips its encryption).
        raw = {f"raw_{name}": Cast(name, TextField()) for name in names}
        done = 0
        rows = model._default_manager.annotate(**raw).values("pk", *raw)
        with transaction.atomic():
            for row in rows.iterator(chunk_size=BATCH):
                changes = {
                    name: Value(crypto.rotate(row[f"raw_{name}"]), output_field=TextField())
                    for name in names
                    if row[f"raw_{name}"]
                }
                if changes:
                    model._default_manager.filter(pk=row["pk"]).update(**changes)
                    done += 1
        return done

    def _reindex(self, model: type[Model], indexes: dict[str, Callable[[Any], str]]) -> int:
        done = 0
        with transaction.atomic():
            for row in model._default_manager.all().iterator(chunk_size=BATCH):
                values = {name: compute(row) for name, compute in indexes.items()}
                model._default_manager.filter(pk=row.pk).update(**values)
                done += 1
        return done
