"""The centre's category tree (诉求分类): the twelve domains of §5.4.2 and their
sub-categories, editable in the admin.  Seeded from ``hotline.rules.taxonomy``."""

from __future__ import annotations

from django.db import models

from hotline.rules.taxonomy import DOMAINS
from hotline.tree import TreeNode


class Category(TreeNode):
    """A node of the category tree.  ``domain`` is the code of its first-level ancestor
    (one of §5.4.2 a–l), kept on every node so statistics group without walking the tree."""

    domain = models.CharField("归口分类", max_length=32, choices=DOMAINS.choices(), db_index=True)
    active = models.BooleanField("启用", default=True)

    class Meta(TreeNode.Meta):
        verbose_name = verbose_name_plural = "诉求分类"

    def save(self, *args, **kwargs) -> None:
        if self.parent_id:
            self.domain = self.parent.domain
        elif not self.domain:
            self.domain = self.code
        super().save(*args, **kwargs)

    @property
    def domain_label(self) -> str:
        return DOMAINS.label(self.domain)

    @property
    def is_domain(self) -> bool:
        return self.parent_id is None
