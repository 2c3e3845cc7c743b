"""Object access answers the same for "missing" and "not yours".

Each entity has one `access_<entity>(viewer, pk)` built on `get_in_scope`, so a user probing
ids of another county learns nothing, and views never fetch scoped objects another way.
"""

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_in_scope(queryset: "QuerySet[M]", pk: object) -> M:
    try:
        return queryset.get(pk=int(str(pk)))
    except (ValueError, TypeError, ObjectDoesNotExist):
        raise Http404("未找到该记录") from None
