"""The client's address as the one reverse proxy in front of RentalBridge saw it, for login throttling.

Behind a proxy every request comes from the proxy's address, so throttling by address would lock out a
username for everyone. The proxy appends the address it saw to X-Forwarded-For; the entries before it are
whatever the client sent, so only the right-most entry is trusted.
"""

from django.http import HttpRequest


def address_seen_by_proxy(request: HttpRequest) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-1] if hops else request.META.get("REMOTE_ADDR")
