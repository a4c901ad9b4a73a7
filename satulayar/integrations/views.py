"""Pages of the integration hub: sources and their runs, indicators, the data catalogue, API clients; and the
webhook endpoint department apps push to."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from satulayar.core.city import request_city
from satulayar.core.decorators import capability_required, is_htmx
from satulayar.core.forms import form_errors_add
from satulayar.core.vault import SecretUnreadable
from satulayar.integrations import access, services
from satulayar.integrations.choices import ConnectorKind, RunStatus, RunTrigger
from satulayar.integrations.crypto import secret_open
from satulayar.integrations.forms import (
    ApiClientForm,
    CatalogueSearchForm,
    ColumnMappingForm,
    ConnectorForm,
    IndicatorForm,
    UploadForm,
    mapping_initial,
)
from satulayar.integrations.mapping import Mapper
from satulayar.integrations.models import Connector
from satulayar.integrations.runs import connector_health, connector_pull, source_fetch
from satulayar.integrations.selectors import catalogue
from satulayar.integrations.sources import SourceError
from satulayar.integrations.uploads import upload_preview, upload_receive, upload_start
from satulayar.integrations.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, max_body_bytes, webhook_receive

SESSION_SECRET = "integrations_secret_once"
PREVIEW_ROWS = 10


@capability_required("view_integrations")
@require_GET
def hub_home(request):
    now = timezone.now()
    connectors = access.connectors_for(request.user).filter(city=request_city(request)).select_related("department")
    rows = []
    for connector in connectors:
        last = connector.runs.exclude(status=RunStatus.REFUSED).first()
        rows.append({"connector": connector, "health": connector_health(connector, now=now), "last": last})
    return render(request, "integrations/hub_home.html", {"rows": rows, "kinds": ConnectorKind,
                                                          "can_manage": access.can_manage(request.user)})


def _connector_form(request, *, kind: str, connector: Connector | None = None):
    access.require_manage(request.user)
    city = request_city(request)
    form = ConnectorForm(request.POST or None, city=city, kind=kind, connector=connector)
    if request.method == "POST" and form.is_valid():
        fields, config, secret, mapping = form.parts()
        try:
            saved, webhook_secret = services.connector_save(actor=request.user, city=city, fields=fields,
                                                            config=config, secret=secret, mapping=mapping,
                                                            connector=connector)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            if webhook_secret:
                request.session[SESSION_SECRET] = {"connector": saved.pk, "secret": webhook_secret}
            messages.success(request, _("Sumber data %(name)s disimpan.") % {"name": saved.name})
            return redirect("integrations:connector_detail", pk=saved.pk)
    return render(request, "integrations/connector_form.html", {
        "form": form, "kind": ConnectorKind(kind), "connector": connector,
        "can_preview": kind in (ConnectorKind.REST, ConnectorKind.SQL)})


@capability_required("manage_integrations")
@require_http_methods(["GET", "POST"])
def connector_new(request):
    kind = request.GET.get("jenis", "")
    if kind not in ConnectorKind.values:
        return render(request, "integrations/connector_kind.html", {"kinds": ConnectorKind})
    return _connector_form(request, kind=kind)


@capability_required("manage_integrations")
@require_http_methods(["GET", "POST"])
def connector_edit(request, pk: int):
    connector = access.connector_get_for_user(user=request.user, pk=pk)
    return _connector_form(request, kind=connector.kind, connector=connector)


@capability_required("manage_integrations")
@require_POST
def connector_preview(request):
    """The mapping tried on a live sample (the first page or 20 rows) with the form's unsaved settings."""
    city = request_city(request)
    kind = request.POST.get("kind", "")
    if kind not in (ConnectorKind.REST, ConnectorKind.SQL):
        raise Http404(kind)
    existing = None
    if request.POST.get("connector"):
        existing = access.connector_get_for_user(user=request.user, pk=request.POST["connector"])
    form = ConnectorForm(request.POST, city=city, kind=kind, connector=existing)
    context = {"form": form, "records": [], "mapped": None, "error": ""}
    if not form.is_valid():
        context["error"] = _("Lengkapi isian yang ditandai dulu: %(fields)s.") % {
            "fields": ", ".join(str(form.fields[n].label) if n in form.fields else n for n in form.errors)}
        return render(request, "integrations/_preview.html", context)
    fields, config, secret, mapping = form.parts()
    try:
        stored = secret_open(existing.secret) if existing else {}
    except SecretUnreadable:
        stored = {}  # the preview then asks for what the admin has not entered again
    secret = {**stored, **{k: v for k, v in secret.items() if v}}
    probe = Connector(city=city, kind=kind, auth_kind=fields.get("auth_kind", "none"))
    try:
        fetched = source_fetch(connector=probe, sample=True, config=config, secret=secret, mapping=mapping)
        context["records"] = fetched.records[:PREVIEW_ROWS]
        context["log"] = fetched.log
        context["mapped"] = Mapper(city=city, mapping=mapping).map(fetched.records[:PREVIEW_ROWS])
    except (SourceError, ValidationError) as exc:
        context["error"] = " ".join(getattr(exc, "messages", None) or [str(exc)])
    return render(request, "integrations/_preview.html", context)


@capability_required("view_integrations")
@require_GET
def connector_detail(request, pk: int):
    connector = access.connector_get_for_user(user=request.user, pk=pk)
    once = request.session.pop(SESSION_SECRET, None)
    secret_once = once["secret"] if once and once.get("connector") == connector.pk else ""
    webhook_url = request.build_absolute_uri(reverse("integrations:webhook", args=[connector.webhook_key]))
    return render(request, "integrations/connector_detail.html", {
        "connector": connector, "health": connector_health(connector), "runs": connector.runs.all()[:25],
        "can_manage": access.can_manage(request.user), "secret_once": secret_once, "webhook_url": webhook_url,
        "upload_form": UploadForm(), "indicators": _mapped_indicators(connector),
        "secret_problem": services.connector_secret_problem(connector),
        "signature_header": SIGNATURE_HEADER, "timestamp_header": TIMESTAMP_HEADER})


def _mapped_indicators(connector: Connector) -> list:
    codes = [pair["indicator"] for pair in (connector.mapping or {}).get("values", [])]
    return list(connector.city.indicators.filter(code__in=codes))


@capability_required("manage_integrations")
@require_POST
def connector_run(request, pk: int):
    connector = access.connector_get_for_user(user=request.user, pk=pk)
    if not ConnectorKind(connector.kind).scheduled:
        raise Http404("not a pulled connector")
    run = connector_pull(connector=connector, trigger=RunTrigger.MANUAL, actor=request.user)
    return redirect("integrations:run_detail", pk=run.pk)


@capability_required("manage_integrations")
@require_POST
def connector_rotate_secret(request, pk: int):
    connector = access.connector_get_for_user(user=request.user, pk=pk)
    if connector.kind != ConnectorKind.WEBHOOK:
        raise Http404("not a webhook connector")
    secret = services.connector_webhook_secret_rotate(actor=request.user, connector=connector)
    request.session[SESSION_SECRET] = {"connector": connector.pk, "secret": secret}
    messages.warning(request, _("Rahasia baru dibuat; yang lama tidak berlaku lagi."))
    return redirect("integrations:connector_detail", pk=connector.pk)


@capability_required("manage_integrations")
@require_POST
def connector_upload(request, pk: int):
    connector = access.connector_get_for_user(user=request.user, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            run = upload_receive(actor=request.user, connector=connector, uploaded=form.cleaned_data["file"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("integrations:upload_mapping", pk=run.pk)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("integrations:connector_detail", pk=connector.pk)


@capability_required("manage_integrations")
@require_http_methods(["GET", "POST"])
def upload_mapping(request, pk: int):
    """The uploaded file's columns and first rows; map them, preview, then start the processing."""
    run = access.run_get_for_user(user=request.user, pk=pk)
    if run.status != RunStatus.QUEUED or not run.upload:
        return redirect("integrations:run_detail", pk=run.pk)
    try:
        preview = upload_preview(run=run)
    except SourceError as exc:
        from satulayar.integrations.runs import run_fail

        run_fail(run=run, error=str(exc))
        return redirect("integrations:run_detail", pk=run.pk)
    city = run.connector.city
    form = ColumnMappingForm(request.POST or None, city=city, columns=preview["headers"],
                             initial=mapping_initial(run.connector.mapping or {}))
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        if "start" in request.POST:
            try:
                upload_start(actor=request.user, run=run, mapping=mapping)
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                from satulayar.integrations.tasks import upload_process_task

                transaction.on_commit(lambda: upload_process_task(run.pk))
                return redirect("integrations:run_detail", pk=run.pk)
        else:
            preview = upload_preview(run=run, mapping=mapping)
    return render(request, "integrations/upload_mapping.html", {"run": run, "form": form, "preview": preview})


@capability_required("view_integrations")
@require_GET
def run_detail(request, pk: int):
    run = access.run_get_for_user(user=request.user, pk=pk)
    template = "integrations/_run_summary.html" if is_htmx(request) else "integrations/run_detail.html"
    return render(request, template, {"run": run, "connector": run.connector,
                                      "finished": run.status not in (RunStatus.QUEUED, RunStatus.RUNNING)})


@capability_required("view_integrations")
@require_GET
def indicator_list(request):
    indicators = access.indicators_for(request.user).filter(city=request_city(request)).select_related("owner")
    return render(request, "integrations/indicator_list.html", {"indicators": indicators,
                                                                "can_manage": access.can_manage(request.user)})


@capability_required("manage_integrations")
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int | None = None):
    city = request_city(request)
    indicator = access.indicator_get_for_user(user=request.user, pk=pk) if pk else None
    form = IndicatorForm(request.POST or None, instance=indicator, city=city)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.indicator_save(actor=request.user, city=city, fields=fields, indicator=indicator)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Indikator %(name)s disimpan.") % {"name": saved.name})
            return redirect("integrations:indicator_list")
    return render(request, "integrations/indicator_form.html", {"form": form, "indicator": indicator})


@require_GET
def catalogue_page(request):
    """The data catalogue (Satu Data): open to everyone; the public sees the public indicators only."""
    city = request_city(request)
    form = CatalogueSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"form": form, "query": query, **catalogue(user=request.user, city=city, query=query),
               "can_view": access.can_view(request.user)}
    template = "integrations/_catalogue_results.html" if is_htmx(request) else "integrations/catalogue.html"
    return render(request, template, context)


@capability_required("manage_integrations")
@require_http_methods(["GET", "POST"])
def api_clients(request):
    city = request_city(request)
    form = ApiClientForm(request.POST or None)
    token = ""
    if request.method == "POST" and form.is_valid():
        try:
            client, token = services.api_client_create(actor=request.user, city=city, name=form.cleaned_data["name"],
                                                       scopes=form.cleaned_data["scopes"])
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Klien %(name)s dibuat. Salin tokennya sekarang: tidak akan ditampilkan "
                                        "lagi.") % {"name": client.name})
            form = ApiClientForm()
    return render(request, "integrations/api_clients.html", {
        "form": form, "token": token, "clients": access.api_clients_for(request.user).filter(city=city),
        "docs_url": reverse("api:openapi-view")})


@capability_required("manage_integrations")
@require_POST
def api_client_toggle(request, pk: int):
    client = access.api_clients_for(request.user).filter(pk=pk).first()
    if client is None:
        raise Http404(pk)
    services.api_client_set_active(actor=request.user, client=client, active=not client.active)
    return redirect("integrations:api_clients")


@csrf_exempt
@require_POST
def webhook(request, key: str):
    """The department app's push (no login: the HMAC signature is its proof). See webhook.py."""
    limit = max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    body = None if declared > limit else request.read(limit + 1)
    too_large = body is None or len(body) > limit
    outcome = webhook_receive(key=key, body=None if too_large else body, too_large=too_large,
                              headers=request.headers)
    return JsonResponse(outcome.as_json(), status=outcome.status_code)

