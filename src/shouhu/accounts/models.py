from django.contrib.auth.models import AbstractUser
from django.db import models

from shouhu.accounts.roles import Role, role_permissions


class User(AbstractUser):
    """A member of staff. Belongs to one unit; the role decides what, the tree decides where."""

    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices, blank=True)
    display_name = models.CharField("姓名", max_length=64, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_role_needs_unit",
                condition=models.Q(role="") | models.Q(unit__isnull=False),
                violation_error_message="有角色的用户必须属于一个单位",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_code(self, code: str) -> bool:
        """Whether this user's role grants a Shouhu permission code."""
        return self.is_active and code in self.permission_codes

    @property
    def permission_codes(self) -> frozenset[str]:
        if self.role != Role.INSTITUTION_STAFF or self.unit_id is None:
            return role_permissions(self.role)  # no unit read: only an institution's type matters
        unit = self.unit
        return role_permissions(self.role, unit.institution_type if unit is not None else "")

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""
