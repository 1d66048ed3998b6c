"""``hotline token list [--user NAME]`` and ``hotline token revoke (PREFIX… | --user NAME | --all)``.

A token that leaked (a script in a shared folder, a laptop that left) is revoked here or in
the admin; it stops working at once.  Tokens also expire ``HOTLINE_API_TOKEN_DAYS`` after
issue and are revoked when their user's password changes or the user is deactivated.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import QuerySet
from django.utils import timezone

from hotline import clock
from hotline.org.models import ApiToken


class Command(BaseCommand):
    help = "列出或吊销 API 令牌"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="列出令牌（只显示前缀）")
        listing.add_argument("--user", help="只列出该用户的令牌")
        revoke = sub.add_parser("revoke", help="吊销令牌，立即失效")
        revoke.add_argument("prefixes", nargs="*", help="令牌前缀（8 位，list 中可见）")
        revoke.add_argument("--user", help="吊销该用户的全部令牌")
        revoke.add_argument("--all", action="store_true", help="吊销所有用户的全部令牌")

    def handle(self, *args, action, **opts):
        if action == "list":
            self._list(opts.get("user"))
        else:
            self._revoke(opts["prefixes"], opts.get("user"), opts["all"])

    def _list(self, username: str | None) -> None:
        rows = ApiToken.objects.select_related("user").order_by("-created_at")
        if username:
            rows = rows.filter(user__username=username)
        for t in rows:
            expires = timezone.localtime(t.expires_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"{t.prefix}  {t.user.username:<16} {t.name or '-':<20} 到期 {expires}  "
                f"{t.status_label}"
            )

    def _revoke(self, prefixes: list[str], username: str | None, everything: bool) -> None:
        if sum(bool(x) for x in (prefixes, username, everything)) != 1:
            raise CommandError("请指定令牌前缀、--user 用户名 或 --all 其中之一")
        rows: QuerySet[ApiToken] = ApiToken.objects.filter(revoked_at__isnull=True)
        if prefixes:
            rows = rows.filter(prefix__in=prefixes)
            unknown = sorted(set(prefixes) - set(rows.values_list("prefix", flat=True)))
            if unknown:
                raise CommandError(f"没有未吊销的令牌以此为前缀：{'、'.join(unknown)}")
        elif username:
            rows = rows.filter(user__username=username)
        n = rows.update(revoked_at=clock.now(), revoked_reason="revoked")
        self.stdout.write(f"已吊销 {n} 个令牌")
