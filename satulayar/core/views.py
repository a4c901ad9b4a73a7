from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from satulayar.org import selectors


def healthz(request):
    """For load balancers and probes: the app answers and the database is reachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure means not ready
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def home(request):
    return render(request, "core/home.html", {"summary": selectors.org_summary(user=request.user)})
