"""Reads of what the site composes: an import job is scoped by its uploader's unit (accounts)."""

from shouhu.accounts.models import User
from shouhu.accounts.scope import unit_scope
from shouhu.common.access import get_in_scope
from shouhu.common.models import ImportJob


def access_import_job(viewer: User, pk: object) -> ImportJob:
    """An upload is seen in its uploader's part of the tree, like the data it holds."""
    return get_in_scope(ImportJob.objects.filter(unit_scope(viewer, field="created_by__unit")), pk)
