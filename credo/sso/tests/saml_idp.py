"""pysaml2's IdP, in this process behind a small HTTP server on 127.0.0.1, for the SAML tests.

Its signing key and certificate are made here, for the run. GET /idp/metadata serves its
metadata; GET /sso/redirect takes Credo's AuthnRequest (HTTP-Redirect binding) and answers with the
auto-posting form an IdP returns, its assertion signed. Query parameters the test adds say who signs
in and what goes wrong: login, mfa=1, audience=<entity id>, expired=1.
"""

import datetime as dt
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
MFA_CONTEXT = "https://refeds.org/profile/mfa"


def make_key_and_cert(folder):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Credo test IdP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "idp.key", folder / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


class SamlIdp:
    def __init__(self, folder, accounts: dict):
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.metadata import create_metadata_string
        from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS
        from saml2.server import Server

        self.accounts = accounts
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.entity_id = f"{self.base}/idp/metadata"
        key_file, cert_file = make_key_and_cert(folder)

        def server(minutes):
            config = IdPConfig()
            config.load(
                {
                    "entityid": self.entity_id,
                    "key_file": key_file,
                    "cert_file": cert_file,
                    "xmlsec_binary": "/usr/bin/xmlsec1",
                    "service": {
                        "idp": {
                            "endpoints": {
                                "single_sign_on_service": [
                                    (f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)
                                ]
                            },
                            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                            "policy": {
                                "default": {
                                    "lifetime": {"minutes": minutes},
                                    "name_form": NAME_FORMAT_URI,
                                }
                            },
                        }
                    },
                }
            )
            from saml2.mdstore import MetadataStore

            idp_server = Server(config=config)
            # Credo's SP metadata is added per test (add_sp), each provider being a new SP.
            idp_server.metadata = MetadataStore(config.attribute_converters, config)
            return idp_server

        self.server = server(15)
        # An IdP whose assertions are already stale when they arrive (its clock is 30 min behind).
        self.stale_server = server(-30)
        self.metadata = create_metadata_string(None, config=self.server.config).decode()
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add_sp(self, metadata_xml: str):
        for s in (self.server, self.stale_server):
            s.metadata.load("inline", metadata_xml)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def respond(self, query: dict) -> tuple[int, str]:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID

        one = {k: v[0] for k, v in query.items()}
        request = self.server.parse_authn_request(one["SAMLRequest"], BINDING_HTTP_REDIRECT)
        message = request.message
        person = self.accounts.get(one.get("login", ""))
        if person is None:
            return 400, "unknown account"
        server = self.stale_server if one.get("expired") else self.server
        response = server.create_authn_response(
            identity={k: [v] for k, v in person.items()},
            in_response_to=message.id,
            destination=message.assertion_consumer_service_url,
            sp_entity_id=one.get("audience") or message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=person.get("mail", "x@x")),
            authn={
                "class_ref": MFA_CONTEXT if one.get("mfa") else PASSWORD_CONTEXT,
                "authn_auth": self.entity_id,
            },
            sign_assertion=True,
            sign_response=False,
            sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
        )
        import base64

        encoded = base64.b64encode(str(response).encode()).decode()
        page = (
            f'<form method="post" action="{html.escape(message.assertion_consumer_service_url)}">'
            f'<input type="hidden" name="SAMLResponse" value="{encoded}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(one.get("RelayState", ""))}">'
            "</form>"
        )
        return 200, page

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/idp/metadata":
                    status, body, kind = 200, idp.metadata, "application/samlmetadata+xml"
                elif url.path == "/sso/redirect":
                    status, body = idp.respond(parse_qs(url.query))
                    kind = "text/html"
                else:
                    status, body, kind = 404, "not here", "text/plain"
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
