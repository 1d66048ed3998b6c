"""Sign-in, sign-out, password change and the landing page of each role.

Wrong passwords on the sign-in page are counted by django-axes (settings ``AXES_*``): after
``HOTLINE_LOGIN_FAILURES`` the username is locked for that client address and the page
answers 429 with the lock-out message (``hotline.common.lockout``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect
from django.urls import reverse_lazy

from hotline.web.nav import home_url


@login_required
def home(request):
    return redirect(home_url(request.user))


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"


class StyledPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, the new one twice, ``AUTH_PASSWORD_VALIDATORS``) with
    the workbench's input style."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"


class PasswordChangeView(auth_views.PasswordChangeView):
    """A new password keeps this session (Django updates its hash), ends the others and
    revokes the user's API tokens (``User.save``)."""

    template_name = "web/password.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("web:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改；原有的 API 令牌已全部失效。")
        return response
