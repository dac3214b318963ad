"""python3-saml (under allauth's SAML views) reads the Host header straight from the request; an
HTTP/1.0 client may send none. Give it the host Django already validated, so such a request gets
an answer rather than an error."""


class HostHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_HOST" not in request.META and request.path.startswith("/accounts/saml/"):
            request.META["HTTP_HOST"] = request.get_host()
        return self.get_response(request)
