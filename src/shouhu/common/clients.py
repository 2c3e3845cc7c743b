"""The client's address, the one every limit per client is keyed on (logins, public pages)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address, as limits count it. Behind the reverse proxy (SHOUHU_BEHIND_PROXY)
    REMOTE_ADDR is the proxy itself, so the proxy's X-Forwarded-For, which it overwrites with the
    client's address, is used; otherwise that header is ignored, as a client could forge it.

    An IPv6 client is its /64: one subscriber line holds a whole /64 and can take any address in
    it, so counting addresses one by one would give it endless fresh counts."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.SHOUHU_BEHIND_PROXY:
        address = request.headers.get("X-Forwarded-For", "").split(",")[0].strip() or address
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
