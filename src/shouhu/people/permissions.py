from enum import StrEnum


class PeoplePerm(StrEnum):
    VIEW = "people.view"
    MANAGE = "people.manage"
    IMPORT = "people.import"
    MERGE = "people.merge"
    REVEAL = "people.reveal"
    EXPORT_UNMASKED = "people.export_unmasked"
    VIEW_REVEALS = "people.view_reveals"
    VIEW_HISTORY = "people.view_history"
    RESOLVE_CONFLICTS = "people.resolve_conflicts"
