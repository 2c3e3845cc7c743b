"""Other projects' apps under names in the reader's language (INSTALLED_APPS names these).

django-auditlog and django-tasks-db ship no Chinese: their English names ("Audit log", "Tasks
Database Backend") headed sections of the Chinese admin. Only the verbose name changes; the label,
the models and the migrations stay the apps' own. Their models' names are the admin site's
(`ShouhuAdminSite.get_app_list`): a model's Meta is its app's and would need a migration there.
"""

from auditlog.apps import AuditlogConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class ShouhuAuditlogConfig(AuditlogConfig):
    verbose_name = _("审计日志")


class ShouhuTasksConfig(TasksAppConfig):
    # Its class says `str`; Django takes a lazy translation for any app's name.
    verbose_name = _("后台任务")  # type: ignore[assignment]
