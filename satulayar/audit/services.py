from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

from satulayar.audit.choices import AuditAction
from satulayar.audit.context import client_ip
from satulayar.audit.models import AuditEntry

MASKED_FIELDS = {"nik": lambda v: f"{'•' * 12}{v[-4:]}" if v else v, "password": lambda v: "•••"}
SKIPPED_FIELDS = {"boundary", "path"}


def snapshot(obj: models.Model) -> dict:
    """A JSON-safe picture of a record for the audit log, with secrets masked."""
    data = model_to_dict(obj, exclude=SKIPPED_FIELDS)
    for name, mask in MASKED_FIELDS.items():
        if name in data:
            data[name] = mask(data[name])
    for key, value in data.items():
        if isinstance(value, models.Model):
            data[key] = value.pk
        elif isinstance(value, FieldFile):
            data[key] = value.name or ""
        elif isinstance(value, list | tuple):
            data[key] = [v.pk if isinstance(v, models.Model) else v for v in value]
    return data


def audit_record(*, actor, action: AuditAction | str, obj: models.Model | None = None, object_type: str = "",
                 object_id: str = "", object_repr: str = "", unit_path: str = "", before: dict | None = None,
                 after: dict | None = None, note: str = "") -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_label=actor.get_username() if authenticated else "sistem",
        action=action, object_type=object_type, object_id=object_id, object_repr=object_repr,
        unit_path=unit_path, before=before, after=after, note=note, ip=client_ip.get(),
    )
