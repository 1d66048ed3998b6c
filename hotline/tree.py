"""Trees kept as materialised paths: areas, units and categories."""

from __future__ import annotations

from django.db import models


class TreeQuerySet(models.QuerySet):
    def subtree(self, node: TreeNode) -> TreeQuerySet:
        """``node`` and everything below it."""
        return self.filter(path__startswith=node.path)


class TreeNode(models.Model):
    """A node of a tree kept as a materialised path (``/city/district/street/``).

    The path is built from the stable ``code`` so that "this unit and its sub-units" is one
    indexed ``LIKE 'prefix%'`` query on every database.
    """

    code = models.SlugField("编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=700, db_index=True, editable=False)
    sort = models.PositiveIntegerField("排序", default=0)

    objects = TreeQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "/") + self.code + "/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moving a node moves its subtree.
            for child in type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.save()

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestors(self) -> list:
        codes = [c for c in self.path.strip("/").split("/")][:-1]
        by_code = {n.code: n for n in type(self).objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def full_name(self) -> str:
        return " / ".join([a.name for a in self.ancestors()] + [self.name])
