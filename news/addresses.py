"""Refusing server-side request forgery: feed URLs typed by chat users must point at the internet.

A user who can make the bot fetch a URL can otherwise make it read the cloud metadata service
(169.254.169.254), the admin page of the router, or anything on localhost. Two checks, both free of
I/O so they are tested without a network:

1. `check_url_shape(url)` before anything is fetched: http or https only, a host, no user name or
   password, at most 2048 characters, no whitespace or control characters; the host must not be
   a local-only name (localhost, *.localhost, *.local, *.internal, *.home.arpa, ...) nor a single
   label (intranet names completed with the search domain); an IP literal must be public. IPv4
   literals are read the way `inet_aton` (and so getaddrinfo) reads them, so "2130706433",
   "0177.0.0.1" and "0x7f.1" are all 127.0.0.1 and refused.
2. `check_resolved(host, addresses)` after the caller has resolved the host (loop.getaddrinfo) and
   before it connects: every address must be public, and there must be at least one. This is what
   catches names that simply resolve to private addresses (e.g. a DNS record for 10.0.0.1); the
   caller should connect to the addresses it checked, or re-check, to avoid DNS rebinding.

"Public" (`is_public_ip`) is `ipaddress`'s `is_global`, hardened: multicast, reserved and the
ranges below are refused whatever the Python version thinks of them, and IPv6 addresses that carry
an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4
2002::/16) are judged by the IPv4 address inside, since that is where a connection ends up.

Error messages are shown to the user as they are: short, lower-case, no final full stop.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from news.errors import NewsbotError

MAX_URL_LENGTH = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Explicit, so the answer does not depend on which Python's ipaddress tables are installed
# (is_global has changed between releases); most are also covered by is_global.
_NON_PUBLIC_V4 = tuple(
    ipaddress.IPv4Network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, including the 169.254.169.254 metadata service
        "172.16.0.0/12",  # RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.168.0.0/16",  # RFC 1918
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, including the broadcast address
    )
)
_NON_PUBLIC_V6 = tuple(
    ipaddress.IPv6Network(net)
    for net in (
        "::/128",  # unspecified
        "::1/128",  # loopback
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215): translates to private space
        "100::/64",  # discard-only
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637, newer than some Pythons)
        "fc00::/7",  # unique local
        "fd00:ec2::254/128",  # AWS metadata over IPv6 (inside fc00::/7; named for clarity)
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
# Only for the user-facing wording: RFC 1918 and unique-local ranges are called "private".
_PRIVATE = (
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
    ipaddress.IPv4Network("192.168.0.0/16"),
    ipaddress.IPv4Network("100.64.0.0/10"),
    ipaddress.IPv6Network("fc00::/7"),
)
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# :: and ::1 sit inside ::/96 but are the unspecified and loopback addresses, not IPv4 in IPv6.
_NOT_EMBEDDING = (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1"))
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

# Names that only ever mean this machine or the local network.
_LOCAL_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback", "metadata.google.internal"})
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".localdomain")

# After IDNA, a valid host name has only these characters; anything else ("\\", "%", "*") is
# either invalid or read differently by different URL parsers, which is how filters are bypassed.
_HOST_CHARS = re.compile(r"^[a-z0-9._-]+$")
# WHATWG URL parsers, like inet_aton, treat a host whose last label is a number as IPv4.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_WHITESPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\s]")


class UnsafeUrl(NewsbotError, ValueError):
    """A URL the bot will not fetch; the message is a reason fit to show the user."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, when it is one of the embedding forms."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NOT_EMBEDDING:
        return None
    if ip in _IPV4_COMPATIBLE or ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def _parse_ip(address: str | IPAddress) -> IPAddress | None:
    if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return address
    text = address.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_public_ip(address: str | IPAddress) -> bool:
    """Whether connecting to `address` reaches the public internet (see the module docstring).

    A string that is not an IP address is not public: the answer fails closed.
    """
    ip = _parse_ip(address)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            # ipaddress calls ::ffff:8.8.8.8 "reserved"; what matters is the IPv4 address.
            return is_public_ip(embedded)
        if any(ip in net for net in _NON_PUBLIC_V6):
            return False
    elif any(ip in net for net in _NON_PUBLIC_V4):
        return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_private
        or ip.is_reserved
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
    )


def _why_not_public(ip: IPAddress) -> str:
    """A word for the user on what kind of address this is ("local", "private", ...)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return _why_not_public(embedded)
    if ip.is_loopback:
        return "local"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in net for net in _PRIVATE):
        return "private"
    return "not public"


def _refuse_ip(ip: IPAddress, written: str) -> UnsafeUrl:
    # Show the user what they wrote, and what it means when that is not obvious ("0x7f.1").
    shown = written if _parse_ip(written) == ip else f"{written} = {ip}"
    return UnsafeUrl(f"that address is {_why_not_public(ip)} ({shown})")


def _ip_literal(host: str) -> IPAddress | None:
    """The address a host name denotes literally, or None for a name to be resolved.

    Raises UnsafeUrl for a host that looks numeric but is no address (e.g. "1.2.3.4.5").
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):
        return None
    try:
        # inet_aton accepts the historical forms ipaddress refuses: fewer than four parts
        # ("127.1"), a single 32-bit number, octal and hex parts. getaddrinfo reads host names
        # the same way, so this is the address the fetch would really reach.
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        raise UnsafeUrl(f"that is not a valid IP address ({host})") from None


def check_url_shape(url: str) -> str:
    """The URL, trimmed, if it may be fetched as far as can be told without DNS; else UnsafeUrl."""
    url = url.strip()
    if not url:
        raise UnsafeUrl("that is not a URL")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"that URL is too long (over {MAX_URL_LENGTH} characters)")
    if _WHITESPACE_OR_CONTROL.search(url):
        # urlsplit silently drops tabs and newlines; refuse rather than fetch something else.
        raise UnsafeUrl("that URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UnsafeUrl("that is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeUrl("only http and https URLs are accepted")
    if "@" in parts.netloc:
        raise UnsafeUrl("URLs with a user name or password are not accepted")
    raw_host = parts.hostname  # lowercased, brackets and port removed
    if not raw_host:
        raise UnsafeUrl("that URL has no host name")
    try:
        parts.port  # noqa: B018 - evaluated for its ValueError on a bad port
    except ValueError:
        raise UnsafeUrl("that URL has an invalid port") from None

    if parts.netloc.startswith("["):
        ip = _parse_ip(raw_host)
        if ip is None or "%" in raw_host:  # zone ids ("fe80::1%eth0") only make sense locally
            raise UnsafeUrl(f"that is not a valid IP address ({raw_host})")
        if not is_public_ip(ip):
            raise _refuse_ip(ip, raw_host)
        return url

    try:
        # IDNA maps look-alikes to what DNS will be asked: "ｌｏｃａｌｈｏｓｔ" is "localhost".
        host = raw_host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UnsafeUrl(f"that host name is not valid ({raw_host})") from None
    host = host.removesuffix(".")  # "localhost." and "127.0.0.1." are the same hosts
    if not _HOST_CHARS.match(host) or host.startswith(".") or host.endswith(".") or ".." in host:
        raise UnsafeUrl(f"that host name is not valid ({raw_host})")

    ip = _ip_literal(host)
    if ip is not None:
        if not is_public_ip(ip):
            raise _refuse_ip(ip, host)
        return url
    if host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES):
        raise UnsafeUrl(f"that host is on a local network ({host})")
    if "." not in host:
        # A one-word name is completed with the server's search domain: an intranet host.
        raise UnsafeUrl(f"that is not a public host name ({host})")
    return url


def check_resolved(host: str, addresses: Iterable[str]) -> None:
    """Raise UnsafeUrl unless `host` resolved to at least one address and all of them are public.

    All, not any: the connection may use whichever address comes first, and an attacker controls
    the order of their own DNS answers.
    """
    found = list(addresses)
    if not found:
        raise UnsafeUrl(f"{host} does not resolve to any address")
    for address in found:
        ip = _parse_ip(address)
        if ip is None:
            raise UnsafeUrl(f"{host} resolves to something that is not an IP address ({address})")
        if not is_public_ip(ip):
            why = _why_not_public(ip)
            raise UnsafeUrl(f"{host} resolves to an address that is {why} ({address})")
