"""``hotline migrate``: the deploy step — migrate the database and load new holiday years,
one server at a time (``hotline.system.deploy``).  Run it once per upgrade, before
starting the new version's ``hotline run --role web|worker``."""

from django.core.management.base import BaseCommand

from hotline.system import deploy


class Command(BaseCommand):
    help = "迁移数据库并同步节假日（部署步骤；多台服务器同时执行时依次进行）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="只检查：有未执行的迁移时列出并以状态 1 退出"
        )

    def handle(self, *args, check, verbosity, **opts):
        if check:
            pending = deploy.pending_migrations()
            for name in pending:
                self.stdout.write(f"  未执行：{name}")
            if pending:
                raise SystemExit(1)
            self.stdout.write("数据库已是最新")
            return
        applied = deploy.migrate(verbosity=max(0, verbosity - 1), say=self.stdout.write)
        if applied:
            self.stdout.write(self.style.SUCCESS(f"已执行 {len(applied)} 个迁移"))
        else:
            self.stdout.write("数据库已是最新，没有需要执行的迁移")
