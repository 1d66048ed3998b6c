"""Does this database hold the demo's published credentials?

The demo centre (``hotline demo``) creates accounts whose password is printed in the README
(``centre.PASSWORD``) and channel clients whose keys are ``hk_demo_<channel>``.  A database
that serves citizens must hold neither; this module finds them, for the loud warning of
``hotline run``, the admin's front page and ``/api/v1/health`` (``demo_data``).

Cheap on a clean database: one query for the demo's user names, one for the demo keys'
hashes.  Only when demo user names exist are their (few, shared) password hashes checked
against the demo password; the answer is then kept for a minute per process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password

from hotline.channels.demo import DEMO_CLIENTS, demo_key
from hotline.channels.models import ChannelClient, hash_key
from hotline.demo import centre
from hotline.org.models import User

CACHE_SECONDS = 60


@dataclass(frozen=True)
class DemoData:
    users: int  # accounts that sign in with the published demo password
    keys: int  # channel clients whose key is a published hk_demo_* key

    @property
    def present(self) -> bool:
        return bool(self.users or self.keys)

    def describe(self) -> str:
        parts = []
        if self.users:
            parts.append(f"{self.users} 个使用公开演示密码的账号")
        if self.keys:
            parts.append(f"{self.keys} 个公开的演示渠道密钥（hk_demo_*）")
        return "、".join(parts)


def demo_key_hashes() -> set[str]:
    return {hash_key(demo_key(channel)) for channel, _name, _auto in DEMO_CLIENTS}


def find() -> DemoData:
    """Count demo accounts and demo keys in the database (no cache)."""
    keys = ChannelClient.objects.filter(key_hash__in=demo_key_hashes()).count()
    names = [row[0] for row in centre.USERS]
    hashes = set(User.objects.filter(username__in=names).values_list("password", flat=True))
    # every demo account shares one hash (the demo hashes the password once): check each
    # distinct hash once, then count every account carrying a matching one
    demo_hashes = [h for h in hashes if h and check_password(centre.PASSWORD, h)]
    users = User.objects.filter(password__in=demo_hashes).count() if demo_hashes else 0
    return DemoData(users=users, keys=keys)


_cached: tuple[float, DemoData] | None = None


def demo_data(*, fresh: bool = False) -> DemoData:
    """``find()``, remembered for ``CACHE_SECONDS`` in this process (health checks poll)."""
    global _cached
    now = time.monotonic()
    if fresh or _cached is None or now - _cached[0] > CACHE_SECONDS:
        _cached = (now, find())
    return _cached[1]


def demo_data_present() -> bool:
    return demo_data().present


WARNING = (
    "警告：HOTLINE_DEBUG=false，但数据库中有演示数据——{what}。"
    "这些密码和密钥公开在文档中，任何人都能用它们登录或提交工单。"
    "请删除这些账号和渠道接入方，或改用全新的数据库。"
)
