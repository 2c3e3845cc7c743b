from enum import StrEnum


class TrainingPerm(StrEnum):
    VIEW = "training.view"
    MANAGE = "training.manage"  # record sessions of their units and who attended
