"""Sign-in, sign-out and the landing page of each role."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from hotline.web.nav import home_url


@login_required
def home(request):
    return redirect(home_url(request.user))


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"
