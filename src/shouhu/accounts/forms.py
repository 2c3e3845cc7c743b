from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from shouhu.accounts import lockout


class LoginForm(AuthenticationForm):
    """The login form: a locked client is told so, not that its password is wrong."""

    def get_invalid_login_error(self) -> ValidationError:
        if self.request is not None and lockout.refused(self.request):
            return ValidationError(lockout.message(), code="login_locked")
        return super().get_invalid_login_error()


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin site's login form (staff only), with the same lockout message."""
