"""Re-encrypt every personal-data field under the newest key, and rebuild the search indexes.

Rotation, step by step (README): put the new Fernet key first in SHOUHU_FIELD_KEYS and keep the
old one after it; run this command; then remove the old key. With a new SHOUHU_BLIND_INDEX_KEY,
run it with --reindex so exact search by ID, phone and name keeps working: it rebuilds every blind
index the apps registered (`common.crypto.register_blind_index`).

Afterwards the database's record of keys (common.keyring) names only the newest field key (and,
with --reindex, the new index key), so the old key may be removed without the start-up check
refusing it.
"""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Model, TextField, Value
from django.db.models.functions import Cast

from shouhu.common import crypto, keyring
from shouhu.common.crypto import encrypted_fields

BATCH = 1000


class Command(BaseCommand):
    help = "用最新密钥重新加密全部个人信息字段；--reindex 同时按新的检索密钥重建检索码"
    # The start-up check refuses a changed index key, which is what --reindex is run to fix; the
    # checks that matter here are made in handle().
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reindex", action="store_true", help="按 SHOUHU_BLIND_INDEX_KEY 重建检索码")

    def handle(self, *args: object, reindex: bool = False, **options: object) -> None:
        crypto.reset_key_cache()
        self._refuse_keys_that_cannot_read_the_data()
        for model, names in encrypted_fields():
            rotated = self._rotate(model, names)
            self.stdout.write(f"{model._meta.verbose_name}：重新加密 {rotated} 行")
        for label, names in crypto.ENCRYPTED_BINARY_FIELDS.items():
            model = apps.get_model(label)
            rotated = self._rotate_files(model, names)
            self.stdout.write(f"{model._meta.verbose_name}：重新加密 {rotated} 个文件")
        if reindex:
            for label, indexes in crypto.registered_blind_indexes().items():
                model = apps.get_model(label)
                count = self._reindex(model, indexes)
                self.stdout.write(f"{model._meta.verbose_name}：重建检索码 {count} 行")
        keyring.record_rotation(reindexed=reindex)
        self.stdout.write(self.style.SUCCESS("完成。确认无误后，可从 SHOUHU_FIELD_KEYS 中移除旧密钥。"))
        if not reindex and any(p.check_id == "shouhu_keys.E006" for p in keyring.problems()):
            self.stderr.write("检索密钥已更换但检索码未重建：请运行 rotate_personal_data_keys --reindex")

    def _refuse_keys_that_cannot_read_the_data(self) -> None:
        field, index = crypto.keys_in_force()
        unusable = crypto.key_problems(field, index) + [
            p for p in keyring.record_problems(field, index) if p.check_id != "shouhu_keys.E006"
        ]
        if unusable:
            raise CommandError("\n".join(p.message for p in unusable))

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

    def _rotate_files(self, model: type[Model], names: list[str]) -> int:
        done = 0
        rows = model._default_manager.values("pk", *names)
        with transaction.atomic():
            for row in rows.iterator(chunk_size=BATCH):
                changes = {name: crypto.rotate_bytes(bytes(row[name])) for name in names if row[name]}
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
