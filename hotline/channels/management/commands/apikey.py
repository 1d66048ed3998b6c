"""Channel clients' API keys from the command line.

    hotline apikey create --name NAME --channel CHANNEL [--rate N] [--auto-accept]
    hotline apikey list
    hotline apikey revoke PREFIX_OR_ID [--delete]

``create`` prints the new key alone on its last line (scripts read ``| tail -1``); it is
shown only this once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from hotline.channels.models import ChannelClient
from hotline.rules import taxonomy


class Command(BaseCommand):
    help = "渠道接入方 API 密钥：create / list / revoke"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="新建接入方并生成密钥（密钥只显示一次）")
        create.add_argument("--name", required=True)
        create.add_argument(
            "--channel",
            required=True,
            help="渠道编码 / channel code: " + ", ".join(taxonomy.CHANNELS.codes),
        )
        create.add_argument("--rate", type=int, default=60, help="每分钟请求上限 (default 60)")
        create.add_argument(
            "--auto-accept", action="store_true", help="要素齐全的诉求直接受理（中心政策允许时）"
        )
        sub.add_parser("list", help="列出接入方（不含密钥）")
        revoke = sub.add_parser("revoke", help="停用接入方（密钥立即失效）")
        revoke.add_argument("client", help="密钥前缀或编号 / key prefix or id")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"_{action}")(**options)

    def _create(self, *, name: str, channel: str, rate: int, auto_accept: bool, **_):
        if channel not in taxonomy.CHANNELS:
            raise CommandError(
                f"未知渠道 / unknown channel “{channel}”；可选 / choose one of: "
                + ", ".join(taxonomy.CHANNELS.codes)
            )
        if rate < 1:
            raise CommandError("--rate 须为正整数 / --rate must be a positive integer")
        if not name.strip():
            raise CommandError("--name 不能为空 / --name must not be empty")
        client, key = ChannelClient.issue(
            name.strip(), channel, rate_limit_per_minute=rate, auto_accept=auto_accept
        )
        self.stdout.write(
            f"已创建接入方 #{client.pk}「{client.name}」（{taxonomy.CHANNELS.label(channel)}，"
            f"每分钟 {rate} 次，{'直接受理' if auto_accept else '待受理'}）。"
        )
        self.stdout.write("API 密钥只显示这一次，请妥善保存 / the key is shown only once:")
        self.stdout.write(key)

    def _list(self, **_):
        rows = ChannelClient.objects.order_by("id")
        if not rows:
            self.stdout.write("（没有接入方 / no clients）")
        for c in rows:
            used = c.last_used_at.isoformat(timespec="seconds") if c.last_used_at else "-"
            self.stdout.write(
                f"{c.pk}\t{c.key_prefix}…\t{c.channel}\t{'enabled' if c.enabled else 'revoked'}"
                f"\t{c.rate_limit_per_minute}/min\t{'auto' if c.auto_accept else 'draft'}"
                f"\t{used}\t{c.name}"
            )

    def _revoke(self, *, client: str, **_):
        qs = ChannelClient.objects.filter(key_prefix=client)
        if client.isdigit():
            qs = ChannelClient.objects.filter(pk=int(client)) | qs
        found = list(qs)
        if not found:
            raise CommandError(f"找不到接入方 / no client “{client}”")
        if len(found) > 1:
            raise CommandError(f"“{client}”对应多个接入方，请用编号 / ambiguous, use the id")
        row = found[0]
        ChannelClient.objects.filter(pk=row.pk).update(enabled=False)
        self.stdout.write(f"已停用 / revoked: #{row.pk} {row.name} ({row.key_prefix}…)")
