"""``hotline createuser NAME --role ROLE [--unit CODE] [--password P]``."""

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hotline.org.models import Unit, User
from hotline.rules.taxonomy import ROLES


class Command(BaseCommand):
    help = "创建用户"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES.codes)
        parser.add_argument("--unit", help="承办单位编码（承办单位角色必填）")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--password", help="不提供则交互输入")
        parser.add_argument("--superuser", action="store_true")

    def handle(self, *args, username, role, unit, name, password, superuser, **opts):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户 {username} 已存在")
        unit_obj = None
        if unit:
            unit_obj = Unit.objects.filter(code=unit).first()
            if unit_obj is None:
                raise CommandError(f"承办单位编码 {unit} 不存在")
        if role == "unit" and unit_obj is None:
            raise CommandError("承办单位角色须指定 --unit")
        if not password:
            password = getpass.getpass("密码: ")
        user = User(username=username, role=role, unit=unit_obj, first_name=name)
        try:
            # the project's AUTH_PASSWORD_VALIDATORS: ≥ 10 characters, not common, not all
            # digits, not like the user name
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from None
        user.is_staff = role == "admin" or superuser
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        self.stdout.write(f"已创建 {username}（{ROLES.label(role)}）")
