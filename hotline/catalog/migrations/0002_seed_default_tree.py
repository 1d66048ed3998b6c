"""Seed the twelve domains of §5.4.2 and this project's default sub-categories."""

from django.db import migrations


def seed(apps, schema_editor):
    from hotline.rules.taxonomy import DEFAULT_SUBCATEGORIES, DOMAINS

    Category = apps.get_model("catalog", "Category")
    for i, term in enumerate(DOMAINS):
        root, _ = Category.objects.get_or_create(
            code=term.code,
            defaults={"name": term.label, "domain": term.code, "path": f"/{term.code}/", "sort": i},
        )
        for j, (code, name) in enumerate(DEFAULT_SUBCATEGORIES.get(term.code, [])):
            Category.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "parent": root,
                    "domain": term.code,
                    "path": f"/{term.code}/{code}/",
                    "sort": j,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
