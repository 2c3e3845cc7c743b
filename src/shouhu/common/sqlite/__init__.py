"""SQLite as the project uses it (settings.DATABASES ENGINE "shouhu.common.sqlite")."""
