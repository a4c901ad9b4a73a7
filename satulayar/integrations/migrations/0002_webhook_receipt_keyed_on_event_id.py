from django.db import migrations, models
from django.db.models import Value
from django.db.models.functions import Concat


def prefix_signatures(apps, schema_editor):
    receipts = apps.get_model("integrations", "WebhookReceipt")
    receipts.objects.update(event_id=Concat(Value("sig:"), "event_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="webhookreceipt", name="webhook_receipt_unique"),
        migrations.RenameField(model_name="webhookreceipt", old_name="signature", new_name="event_id"),
        migrations.AlterField(model_name="webhookreceipt", name="event_id", field=models.CharField(max_length=255)),
        migrations.RunPython(prefix_signatures, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="webhookreceipt",
            constraint=models.UniqueConstraint(fields=("connector", "event_id"), name="webhook_receipt_event_unique"),
        ),
    ]
