from django.db import migrations


def known_code_changes(apps, schema_editor):
    """Halton's health unit under HR_UID 2236 (to 2022) and 3536 (from 2023), one place."""
    from indicators.services.geographies import geography_code_changes_apply

    geography_code_changes_apply(model=apps.get_model("indicators", "Geography"))


class Migration(migrations.Migration):
    """The data in a migration of its own: PostgreSQL cannot index the new key in a transaction
    that has written rows whose key checks are still pending."""

    dependencies = [
        ("indicators", "0003_geography_superseded_by"),
    ]

    operations = [
        migrations.RunPython(known_code_changes, migrations.RunPython.noop),
    ]
