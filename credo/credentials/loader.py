"""An offline JSON-LD document loader for pyld: context URLs map to files bundled in the package.

Signing and verifying must give the same bytes on every machine and must never depend on the
network, so only the contexts listed in ``CONTEXT_FILES`` can be loaded; any other URL raises
``UnknownContextError`` instead of being fetched.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT_3_0_1 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
OB_CONTEXT_3_0_3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_CONTEXT_2_0_1 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
SECURITY_V1 = "https://w3id.org/security/v1"
SECURITY_V2 = "https://w3id.org/security/v2"
ED25519_2020_V1 = "https://w3id.org/security/suites/ed25519-2020/v1"

#: Context URL -> file name in ``credo/credentials/contexts``.
CONTEXT_FILES: Mapping[str, str] = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OB_CONTEXT_3_0_3: "ob-v3p0-3.0.3.json",
    OB_EXTENSIONS: "ob-v3p0-extensions.json",
    CLR_CONTEXT_2_0_1: "clr-v2p0-2.0.1.json",
    DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
    DID_V1: "did-v1.jsonld",
    SECURITY_V1: "security-v1.jsonld",
    SECURITY_V2: "security-v2.jsonld",
    ED25519_2020_V1: "suites-ed25519-2020.jsonld",
    # Legacy: VCDM 1.1 and an earlier Open Badges context, to verify credentials issued before
    # VCDM 2.0 (Credo itself issues only with the contexts above).
    CREDENTIALS_V1: "credentials-v1.jsonld",
    OB_CONTEXT_3_0_1: "ob-v3p0-3.0.1.json",
}

# Resolved contexts are cached per loader; inline contexts land in the same cache, so it is
# bounded (a verifier must not grow without limit on what strangers send it).
_RESOLVED_CACHE_SIZE = 256
_SERVED_OBJECTS = 20_000
_PROCESSED_CACHE_SIZE = 4096


class UnknownContextError(LookupError):
    """A JSON-LD context URL is not bundled with Credo (it is never fetched)."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not bundled with Credo and is never fetched; "
            "documents that use it cannot be signed or verified"
        )
        self.url = url


@cache
def _bundled(file_name: str) -> dict[str, Any]:
    text = resources.files("credo.credentials.contexts").joinpath(file_name).read_text("utf-8")
    return json.loads(text)


class _LockedLRU(LRUCache):
    """An LRU cache that several threads may share (pyld reads and writes it directly)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize=maxsize)
        self._lock = threading.RLock()

    def __getitem__(self, key: Any) -> Any:
        with self._lock:
            return super().__getitem__(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            return super().get(key, default)


class OfflineLoader:
    """A pyld ``documentLoader`` that serves bundled contexts and refuses every other URL.

    ``extra`` adds or replaces URL -> parsed JSON-LD documents (tests use it to try an
    alternative copy of a context). Each loader keeps its own cache of resolved contexts, so
    two loaders never see each other's documents.
    """

    def __init__(self, extra: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._extra = {url: copy.deepcopy(dict(doc)) for url, doc in (extra or {}).items()}
        self._resolved = _LockedLRU(_RESOLVED_CACHE_SIZE)
        #: Every object inside the documents this loader served, by id (held, so an id is
        #: never reused): only pyld sees them, so none changes after it was served.
        self._served = _LockedLRU(_SERVED_OBJECTS)
        #: (active context, local context, flags) -> the processed context; see
        #: ``processed_context_key``.
        self.processed_contexts = _LockedLRU(_PROCESSED_CACHE_SIZE)

    def knows(self, url: str) -> bool:
        """Return whether ``url`` can be loaded without the network."""
        return url in self._extra or url in CONTEXT_FILES

    def document(self, url: str) -> dict[str, Any]:
        """Return a fresh copy of the JSON-LD document bundled for ``url``."""
        if url in self._extra:
            return copy.deepcopy(self._extra[url])
        file_name = CONTEXT_FILES.get(url)
        if file_name is None:
            raise UnknownContextError(url)
        # pyld may rewrite what it is given, so it never gets the cached object itself.
        return copy.deepcopy(_bundled(file_name))

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        document = self.document(url)
        for item in _containers(document):
            self._served[id(item)] = item
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
            "contentType": "application/ld+json",
            # pyld keeps contexts tagged "static" in the resolver's shared cache.
            "tag": "static",
        }

    def processed_context_key(self, local_context: Any) -> Any:
        """Return a key that stands for ``local_context`` while it lives, or None.

        A URL (or a list of them) stands for itself. An inline context stands for itself by
        identity only when it came from a document this loader served: pyld's own cache of
        processed contexts misses every type-scoped context (it clones the active context
        first), and a caller's object could change between two calls under the same id.
        """
        if isinstance(local_context, str):
            return local_context
        if isinstance(local_context, list) and all(isinstance(c, str) for c in local_context):
            return tuple(local_context)
        if self._served.get(id(local_context)) is local_context:
            return ("served", id(local_context))
        return None

    def jsonld_options(self) -> dict[str, Any]:
        """Return pyld options that load through this loader and reuse its context cache."""
        return {
            "documentLoader": self,
            "contextResolver": ContextResolver(self._resolved, self),
        }


#: The loader used when none is given.
default_loader = OfflineLoader()


def _containers(value: Any) -> Iterator[Any]:
    if isinstance(value, dict | list):
        yield value
        for item in value.values() if isinstance(value, dict) else value:
            yield from _containers(item)


def iter_context_urls(document: Any) -> Iterator[str]:
    """Yield every context URL named anywhere in ``document`` (nested credentials included)."""
    if isinstance(document, Mapping):
        for key, value in document.items():
            if key == "@context":
                yield from _context_urls(value)
            else:
                yield from iter_context_urls(value)
    elif isinstance(document, list):
        for item in document:
            yield from iter_context_urls(item)


def _context_urls(context: Any) -> Iterator[str]:
    if isinstance(context, str):
        yield context
    elif isinstance(context, list):
        for item in context:
            yield from _context_urls(item)
    elif isinstance(context, Mapping):
        # Scoped contexts inside an inline context may name further URLs.
        yield from iter_context_urls(context)


def unknown_context_urls(document: Any, loader: OfflineLoader | None = None) -> list[str]:
    """Return, in order and once each, the context URLs of ``document`` that cannot be loaded."""
    loader = loader or default_loader
    unknown: list[str] = []
    for url in iter_context_urls(document):
        if not loader.knows(url) and url not in unknown:
            unknown.append(url)
    return unknown
