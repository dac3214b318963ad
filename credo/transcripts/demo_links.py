"""The token of the demo's shared transcript links, derived again from the installation's secret.

The demo loader (`credo.demo`) makes `student1`'s link of each school with this token, and the
landing page opens it; it lives here, beside the share links, because nothing may import the demo.
"""

from __future__ import annotations


def demo_share_token(link_id: int) -> str:
    """Return the token of the demo link `link_id` that the landing page opens.

    Only the hash of a share link's token is stored, so the landing page cannot read it back; for
    the demo's own links it derives the token again from the installation's secret key (an HMAC
    of the link's id), which nobody without that key can do. Real links are always random.
    """
    import base64
    import hashlib
    import hmac

    from django.conf import settings

    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"credo.demo.share-link:{link_id}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")
