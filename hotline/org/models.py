"""Who is who: administrative areas, handling units and staff users (§4, SPEC §1)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from hotline import clock
from hotline.rules.taxonomy import AREA_LEVELS, ROLES, UNIT_KINDS
from hotline.tree import TreeNode


class Area(TreeNode):
    """An administrative area: city → district (区/县/旗) → street/township → community."""

    level = models.CharField("层级", max_length=16, choices=AREA_LEVELS.choices())
    aliases = models.CharField(
        "别名", max_length=300, blank=True, help_text="逗号分隔，用于地址识别"
    )

    class Meta(TreeNode.Meta):
        verbose_name = verbose_name_plural = "行政区划"


class Unit(TreeNode):
    """A handling unit (承办单位, §4.2): a department, a street office, the owner or
    maintainer of public components, a public-service enterprise — or the centre itself.

    ``areas`` is its jurisdiction, ``categories`` and ``component_types`` its
    responsibilities; dispatch (§6.3) matches an appeal's nature and territory against them.
    """

    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=16, choices=UNIT_KINDS.choices())
    areas = models.ManyToManyField(Area, verbose_name="管辖区域", blank=True, related_name="units")
    categories = models.ManyToManyField(
        "catalog.Category", verbose_name="职责分类", blank=True, related_name="units"
    )
    component_types = models.JSONField("负责部件类型", default=list, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    contact_name = models.CharField("联络人", max_length=40, blank=True)
    leader_name = models.CharField("分管领导", max_length=40, blank=True)
    leader_phone = models.CharField("分管领导电话", max_length=40, blank=True)
    head_name = models.CharField("单位负责人", max_length=40, blank=True)
    head_phone = models.CharField("单位负责人电话", max_length=40, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta(TreeNode.Meta):
        verbose_name = verbose_name_plural = "承办单位"

    @property
    def is_emergency(self) -> bool:
        return self.kind == "emergency"


class HotlineUserManager(UserManager):
    pass


class User(AbstractUser):
    """A staff member with one role (§4).  Unit users (``role == "unit"``) belong to a
    handling unit and see only that unit's orders and its sub-units'."""

    role = models.CharField("角色", max_length=16, choices=ROLES.choices(), default="agent")
    unit = models.ForeignKey(
        Unit,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)

    objects = HotlineUserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return (self.last_name + self.first_name) or self.username

    @property
    def effective_role(self) -> str:
        """Superusers act as administrators whatever their stored role."""
        return "admin" if self.is_superuser else self.role

    @property
    def role_label(self) -> str:
        return ROLES.label(self.effective_role)

    def save(self, *args, **kwargs) -> None:
        """A new password or a deactivated account revokes every API token of the user:
        a token must not outlive the credentials it was obtained with."""
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.revoke_all(self, "password_changed")
        elif not self.is_active:
            ApiToken.revoke_all(self, "deactivated")


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now: datetime | None = None) -> ApiTokenQuerySet:
        """Tokens that still authenticate: not revoked, not expired, of an active user."""
        return self.filter(
            revoked_at__isnull=True, expires_at__gt=now or clock.now(), user__is_active=True
        )


class ApiToken(models.Model):
    """A bearer token for the staff REST API; only its SHA-256 is stored.  It expires
    ``HOTLINE_API_TOKEN_DAYS`` after issue and is revoked when its user's password changes,
    the user is deactivated, or someone runs ``hotline token revoke``."""

    REVOKE_REASONS = [
        ("password_changed", "密码已修改"),
        ("deactivated", "用户已停用"),
        ("revoked", "手动吊销"),
    ]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("前缀", max_length=8, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间", db_index=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_reason = models.CharField("吊销原因", max_length=20, choices=REVOKE_REASONS, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(
        cls, user: User, name: str = "", *, now: datetime | None = None
    ) -> tuple[ApiToken, str]:
        """Create a token; the plain key is returned once and never stored."""
        now = now or clock.now()
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_token(key),
            prefix=key[:8],
            expires_at=now + timedelta(days=settings.HOTLINE_API_TOKEN_DAYS),
        )
        return token, key

    @classmethod
    def revoke_all(cls, user: User, reason: str = "revoked", now: datetime | None = None) -> int:
        """Revoke every live token of ``user``; returns how many."""
        return cls.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=now or clock.now(), revoked_reason=reason
        )

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return f"已吊销（{self.get_revoked_reason_display()}）"
        if self.expires_at <= clock.now():
            return "已过期"
        return "有效"
