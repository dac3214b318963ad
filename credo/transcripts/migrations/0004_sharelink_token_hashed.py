"""Share-link tokens are stored only as their SHA-256: existing links keep working (their tokens
are hashed in place), and the clear tokens are gone from the database.

Going back cannot recover the tokens: it gives every link a new random one, so links handed out
before stop working.
"""

import hashlib
import secrets

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    ShareLink = apps.get_model("transcripts", "ShareLink")
    rows = list(ShareLink.objects.only("pk", "token"))
    for link in rows:
        link.token_hash = hashlib.sha256(link.token.encode()).hexdigest()
    ShareLink.objects.bulk_update(rows, ["token_hash"], batch_size=500)


def new_random_tokens(apps, schema_editor):
    ShareLink = apps.get_model("transcripts", "ShareLink")
    rows = list(ShareLink.objects.only("pk"))
    for link in rows:
        link.token = secrets.token_urlsafe(32)
    ShareLink.objects.bulk_update(rows, ["token"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("transcripts", "0003_version_guard_erasing_schools")]

    operations = [
        migrations.AddField(
            model_name="sharelink",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="sharelink",
            name="token",
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(hash_tokens, new_random_tokens, elidable=False),
        migrations.RemoveField(model_name="sharelink", name="token"),
        migrations.AlterField(
            model_name="sharelink",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
