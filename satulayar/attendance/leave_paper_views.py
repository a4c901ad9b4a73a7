"""The papers of a leave request as pages: read only by those who may see the request (never a public media URL),
added or removed by the employee or an admin over them while the request is pending (`leave_papers`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from satulayar.attendance import leave_papers
from satulayar.attendance.access import leave_requests_for
from satulayar.attendance.forms import LeavePaperForm
from satulayar.attendance.models import LeaveAttachment


def _attachment_for(user, pk: int) -> LeaveAttachment:
    return get_object_or_404(LeaveAttachment.objects.select_related("request__employee__unit"), pk=pk,
                             request__in=leave_requests_for(user))


@login_required
def leave_attachment_file(request, pk: int):
    """The paper itself, to whoever may see its request; 404 to anyone else."""
    attachment = _attachment_for(request.user, pk)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=request.GET.get("unduh") == "1", filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@login_required
def leave_attachment_add(request, pk: int):
    item = get_object_or_404(leave_requests_for(request.user), pk=pk)
    form = LeavePaperForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    else:
        try:
            added = leave_papers.leave_attachment_add(actor=request.user, request=item,
                                                      upload=form.cleaned_data["file"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Lampiran %(name)s ditambahkan.") % {"name": added.original_name})
    return redirect(reverse("attendance:leave"))


@require_POST
@login_required
def leave_attachment_delete(request, pk: int):
    attachment = _attachment_for(request.user, pk)
    try:
        leave_papers.leave_attachment_delete(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Lampiran %(name)s dihapus.") % {"name": attachment.original_name})
    return redirect(reverse("attendance:leave"))
