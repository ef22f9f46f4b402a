"""Post.format uses the shared PostFormat (core.vocabulary): the strategy's old format values
`image` and `short_video` become `photo` and `reel`, the values platforms report.

Reversible: going back maps them to the old values again. `link` had no old equivalent and is
left as it is.
"""

from django.db import migrations, models

# Frozen here on purpose: a migration must not follow later changes of the vocabulary.
OLD_TO_NEW = {"image": "photo", "short_video": "reel"}


def _rename(apps, mapping):
    Post = apps.get_model("content", "Post")
    for old, new in mapping.items():
        Post.objects.filter(format=old).update(format=new)


def forwards(apps, schema_editor):
    _rename(apps, OLD_TO_NEW)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_row_level_security"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="post",
            name="format",
            field=models.CharField(
                choices=[
                    ("text", "Text post"),
                    ("photo", "Photo"),
                    ("video", "Video"),
                    ("reel", "Reel / short video"),
                    ("carousel", "Carousel"),
                    ("story", "Story"),
                    ("link", "Link"),
                    ("poll", "Poll"),
                    ("live", "Live stream"),
                    ("article", "Article / long read"),
                ],
                default="text",
                max_length=16,
                verbose_name="format",
            ),
        ),
    ]
