from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, object_type=get_user_model()._meta.label_lower,
                 object_repr=username)
