"""Who is who: administrative areas, handling units and staff users (§4, SPEC §1)."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

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


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the staff REST API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("前缀", max_length=8, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        """Create a token; the plain key is returned once and never stored."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_token(key), prefix=key[:8])
        return token, key
