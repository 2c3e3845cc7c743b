from enum import StrEnum


class AccountPerm(StrEnum):
    MANAGE_USERS = "accounts.manage_users"
