from itertools import count

from shouhu.accounts.models import User
from shouhu.orgs.models import OrgUnit

PASSWORD = "correct-horse-battery"
_numbers = count(1)


def make_user(role: str, unit: OrgUnit, username: str | None = None) -> User:
    user = User(
        username=username or f"{role}{next(_numbers)}", role=role, unit=unit, display_name=f"{unit.name}用户"
    )
    user.set_password(PASSWORD)
    user.save()
    return user
