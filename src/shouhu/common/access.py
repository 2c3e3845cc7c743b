"""Object access answers the same for "missing" and "not yours".

Each entity has one `access_<entity>(viewer, pk)` built on `get_in_scope`, so a user probing
ids of another county learns nothing, and views never fetch scoped objects another way.
"""

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


# The largest id a BigAutoField holds: a larger number cannot name a row (and would overflow).
MAX_OBJECT_ID = 2**63 - 1


def get_in_scope(queryset: "QuerySet[M]", pk: object) -> M:
    try:
        number = int(str(pk))
        if not 0 < number <= MAX_OBJECT_ID:
            raise ValueError
        return queryset.get(pk=number)
    except (ValueError, TypeError, ObjectDoesNotExist):
        raise Http404("未找到该记录") from None
