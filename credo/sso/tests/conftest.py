"""Real identity providers for the SSO tests, started on 127.0.0.1 by the tests themselves.

- `oidc_idp`: the certified npm package `oidc-provider`, run with Node from `oidc_idp/`
  (`npm ci` there when node_modules is missing). Skips, saying why, without node or npm or when
  the package cannot be installed.
- `saml_idp` (test_saml.py): pysaml2's IdP in this process, behind a small HTTP server.
"""

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
IDP_DIR = HERE / "oidc_idp"
_install_lock = threading.Lock()

# Who the test OIDC provider knows. Claims as Google or a portal would send them.
OIDC_ACCOUNTS = {
    "ava": {"email": "ava@hill.test", "email_verified": True, "name": "Ava Student"},
    "tom": {"email": "Tom.Teacher@hill.test", "email_verified": True, "name": "Tom Teacher"},
    "ada": {"email": "ada@hill.test", "email_verified": True, "name": "Ada Admin"},
    "stranger": {"email": "stranger@hill.test", "email_verified": True},
    "unverified": {"email": "ava@hill.test", "email_verified": False},
    "outsider": {"email": "ava@elsewhere.test", "email_verified": True},
    "rostered": {"sourcedId": "usr-ben-7", "email": "ben@personal.test", "email_verified": False},
}
REDIRECT_PREFIX = "http://testserver/accounts/oidc/"


@pytest.fixture(autouse=True)
def _loopback_idps(settings):
    """The test IdPs answer on http://127.0.0.1, which Credo accepts only when told to."""
    settings.CREDO_SSO_ALLOW_HTTP_LOOPBACK = True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _node_modules_ready() -> str:
    """Return "" when oidc-provider is installed in oidc_idp/, else why it could not be."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are needed to run the oidc-provider test IdP"
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    major = int(version.lstrip("v").split(".")[0] or 0) if version.startswith("v") else 0
    if major < 20:
        return f"oidc-provider 9 needs Node 20 or later; this machine has {version.strip() or '?'}"
    with _install_lock:
        if (IDP_DIR / "node_modules" / "oidc-provider").exists():
            return ""
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=IDP_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            return f"npm could not install oidc-provider: {result.stderr.strip()[-300:]}"
    return ""


class OidcIdp:
    def __init__(self, port: int):
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def oidc_idp(tmp_path_factory):
    why = _node_modules_ready()
    if why:
        pytest.skip(why)
    port = free_port()
    config = {
        "port": port,
        "clients": [
            {"client_id": cid, "client_secret": f"{cid}-secret", "redirect_prefix": REDIRECT_PREFIX}
            for cid in ("credo", "other-app", "credo-late")
        ]
        # A real browser against the live server, on whatever port it got.
        + [
            {
                "client_id": "credo-browser",
                "client_secret": "credo-browser-secret",
                "redirect_prefix": "http://localhost:",
            }
        ],
        "late_clients": ["credo-late"],
        "accounts": OIDC_ACCOUNTS,
    }
    path = tmp_path_factory.mktemp("oidc") / "config.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen(
        ["node", str(IDP_DIR / "server.mjs"), str(path)],
        cwd=IDP_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NODE_ENV": "test"},
    )
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("ready") or process.poll() is not None:
            break
    if not line.startswith("ready"):
        process.kill()
        rest = process.stdout.read() if process.stdout else ""
        pytest.fail(f"the oidc-provider test IdP did not start: {line}{rest}")
    # Keep reading its output so a full pipe never blocks it.
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    try:
        yield OidcIdp(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
