"""ContentPillar.formats holds shared PostFormat values (core.vocabulary): the old format values
`image` and `short_video` become `photo` and `reel`, the values platforms report.

`formats` is a JSON list, so there is no AlterField; only the stored values change. Reversible:
going back maps them to the old values again.
"""

from django.db import migrations

# Frozen here on purpose: a migration must not follow later changes of the vocabulary.
OLD_TO_NEW = {"image": "photo", "short_video": "reel"}


def _rename(apps, mapping):
    ContentPillar = apps.get_model("strategy", "ContentPillar")
    changed = []
    for pillar in ContentPillar.objects.only("id", "formats").iterator():
        formats = [mapping.get(f, f) for f in pillar.formats or []]
        if formats != pillar.formats:
            pillar.formats = formats
            changed.append(pillar)
    ContentPillar.objects.bulk_update(changed, ["formats"], batch_size=500)


def forwards(apps, schema_editor):
    _rename(apps, OLD_TO_NEW)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0004_row_level_security"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
