"""The ``hotline`` command: a thin front over Django's management commands.

    hotline run [--role web|worker|all]  start this machine's processes (all: migrate, demo
                                         data into an empty debug database, serve, work)
    hotline migrate                      the deploy step: migrate, one server at a time
    hotline demo [--reset]               load (or reset) the demo centre (debug only)
    hotline createuser NAME --role R     add a staff user (password prompted or from a file)
    hotline manage …                     any Django management command

Every other ``hotline X …`` runs the management command ``X`` (e.g. ``worker``, ``model``,
``apikey`` when those apps are installed).  Bad configuration fails here, at start, with
the setting's name and what is wrong.
"""

from __future__ import annotations

import os
import sys

USAGE = """用法 / usage: hotline <command> [options]

  run         启动服务 --role web|worker|all            start web, worker or both (default all)
  migrate     迁移数据库（部署步骤，多机依次执行）      migrate the database (deploy step)
  demo        载入或重置演示数据（仅调试模式）           load or reset the demo centre (debug)
  createuser  创建用户                                   add a staff user
  manage      任意 Django 管理命令                        any Django management command

Run `hotline <command> --help` for a command's options.
"""


# ``hotline migrate`` is the locked deploy step; Django's own stays ``hotline manage migrate``.
ALIASES = {"migrate": "hotline_migrate"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    command, rest = argv[0], argv[1:]
    command = ALIASES.get(command, command)
    if command == "manage":
        execute_from_command_line(["hotline manage", *rest])
    else:
        execute_from_command_line(["hotline", command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
