"""SocialPost.format offers the shared PostFormat (core.vocabulary); stored values do not change."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_row_level_security"),
    ]

    operations = [
        migrations.AlterField(
            model_name="socialpost",
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
            ),
        ),
    ]
