"""Django's SQLite backend, told how many values a statement may carry.

Django 5.2 assumes SQLite's old limit of 999 parameters and splits bulk_create's rows by it: 66
audit entries (fifteen columns) or 58 persons a statement, so the audit of an import chunk (500
rows) took sixteen INSERTs. SQLite has allowed 32,766 since 3.32 (2020), and the connection says
what its build allows; Django 6.0 asks it too. PostgreSQL needs nothing: Django sets it no limit
and callers pass batch sizes below its 65,535.
"""

import sqlite3

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self) -> int:  # type: ignore[override]
        self.connection.ensure_connection()
        return int(self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
