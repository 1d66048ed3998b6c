"""Who is asking: the one place that turns a request into the citizen's address.

Every per-address limit (portal submissions and tracking, the channel API's tracking
endpoint, Open311 reads, the login lock-out) and every access-log line key on
``client_ip(request)``, so a limit and the log always agree on who a client is.

Behind a reverse proxy the TCP peer (``REMOTE_ADDR``) is the proxy, so every citizen would
share one address.  ``HOTLINE_TRUSTED_PROXIES`` lists the proxies (IP addresses or CIDR
networks).  Only when the direct peer is one of them is ``X-Forwarded-For`` read, and the
client is its right-most address that is *not* a trusted proxy: each proxy appends the
address it received the request from, so everything to the left of that entry was written
by the client and may be forged.  With no trusted proxies the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

UNKNOWN = "unknown"
_CACHE_ATTRIBUTE = "_hotline_client_ip"


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"10.0.0.1, 10.1.0.0/16, ::1"`` → networks; raises ``ValueError`` naming the bad
    entry (the settings turn it into a configuration error naming the variable)."""
    networks = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    """An address as a proxy writes it: bare, ``[v6]``, or with a port (``1.2.3.4:5678``,
    ``[::1]:80``).  None for anything else."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: Iterable[Network]) -> bool:
    return any(address in network for network in proxies)


def resolve(peer: str, forwarded_for: str, proxies: Sequence[Network]) -> str:
    """The client address from the TCP peer, the ``X-Forwarded-For`` header and the trusted
    proxies (pure: the request-free core of ``client_ip``).

    * peer not a trusted proxy (or no proxies configured): the peer, header ignored;
    * otherwise the right-most header entry that is not a trusted proxy;
    * every entry trusted (a request from inside the proxy tier): the left-most entry;
    * a malformed entry where the client should be: the peer — the limit then falls on the
      proxy's address, never on a string the client chose.
    """
    peer_address = _address(peer)
    if peer_address is None:
        return peer.strip() or UNKNOWN
    if not proxies or not _trusted(peer_address, proxies) or not forwarded_for.strip():
        return str(peer_address)
    entries = [e for e in forwarded_for.split(",") if e.strip()]
    for entry in reversed(entries):
        address = _address(entry)
        if address is None:
            return str(peer_address)
        if not _trusted(address, proxies):
            return str(address)
    first = _address(entries[0])
    return str(first or peer_address)


def client_ip(request) -> str:
    """The client's address for ``request`` (see the module docstring); computed once per
    request."""
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    meta = request.META
    ip = resolve(
        meta.get("REMOTE_ADDR", "") or "",
        meta.get("HTTP_X_FORWARDED_FOR", "") or "",
        getattr(settings, "HOTLINE_TRUSTED_PROXIES", ()),
    )
    try:
        setattr(request, _CACHE_ATTRIBUTE, ip)
    except AttributeError:  # a request-like object without a __dict__
        pass
    return ip
