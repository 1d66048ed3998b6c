"""``hotline createuser NAME --role ROLE [--unit CODE] [--password-file PATH]``.

The password is typed twice at a prompt, or read from the first line of a file (``-`` for
standard input) so provisioning scripts never put it on a command line, where other users
see it in the process list.  It must pass Django's password validators
(``AUTH_PASSWORD_VALIDATORS``).  ``--role admin`` makes a 管理员 who may configure
everything in the admin: the first account of a new centre.
"""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hotline.org.models import Unit, User
from hotline.rules.taxonomy import ROLES


class Command(BaseCommand):
    help = "创建用户（密码交互输入两次，或 --password-file 从文件读取）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES.codes)
        parser.add_argument("--unit", help="承办单位编码（承办单位角色必填）")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument(
            "--password-file", help="从该文件第一行读取密码（- 表示标准输入），不提供则交互输入"
        )
        parser.add_argument("--superuser", action="store_true", help="超级用户（管理员默认即是）")

    def handle(self, *args, username, role, unit, name, password_file, superuser, **opts):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户 {username} 已存在")
        unit_obj = None
        if unit:
            unit_obj = Unit.objects.filter(code=unit).first()
            if unit_obj is None:
                raise CommandError(f"承办单位编码 {unit} 不存在")
        if role == "unit" and unit_obj is None:
            raise CommandError("承办单位角色须指定 --unit")
        superuser = superuser or role == "admin"
        user = User(username=username, role=role, unit=unit_obj, first_name=name)
        user.is_staff = superuser
        user.is_superuser = superuser
        password = self._read_password(password_file) if password_file else self._prompt()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from None
        user.set_password(password)
        user.save()
        self.stdout.write(f"已创建 {username}（{ROLES.label(role)}）")

    @staticmethod
    def _read_password(path: str) -> str:
        try:
            if path == "-":
                text = sys.stdin.readline()
            else:
                with open(path, encoding="utf-8") as f:
                    text = f.readline()
        except OSError as exc:
            raise CommandError(f"无法读取密码文件 {path}：{exc.strerror}") from None
        password = text.rstrip("\r\n")
        if not password:
            raise CommandError(f"密码文件 {path} 的第一行为空")
        return password

    @staticmethod
    def _prompt() -> str:
        if not sys.stdin.isatty():
            raise CommandError(
                "没有终端可输入密码：请使用 --password-file 文件路径（或 - 读标准输入）"
            )
        password = getpass.getpass("密码: ")
        if password != getpass.getpass("再次输入密码: "):
            raise CommandError("两次输入的密码不一致")
        return password
