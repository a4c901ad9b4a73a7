"""The client address of the request being served, so services can audit without a request argument."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
