"""DRF authtoken keys (kept in clear) become hashed ApiTokens, so every token in use keeps
working; the clear keys are then deleted."""

import hashlib

from django.db import migrations


def convert(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("core", "ApiToken")
    for token in Token.objects.all().iterator():
        ApiToken.objects.get_or_create(
            key_hash=hashlib.sha256(token.key.encode()).hexdigest(),
            defaults={
                "user_id": token.user_id,
                "prefix": token.key[:8],
                "name": "converted from authtoken",
                "created_at": token.created,
            },
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_api_token"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
