"""The SSRF guard for URLs that chat users submit: public http(s) addresses only.

The rules live in news.addresses (pure); this adapter resolves the host name. It runs before
every request of an untrusted source, redirects included, so a public URL that redirects to
169.254.169.254 is refused too. (A DNS answer that changes between this check and httpx's own
lookup could still slip through; closing that needs a custom network backend.)
"""

from __future__ import annotations

import asyncio
import socket

import httpx

from news.addresses import UnsafeUrl, check_resolved, check_url_shape


async def public_only(url: httpx.URL | str) -> None:
    """UnsafeUrl unless `url` is http(s) on a public address; a URL that is not a URL at all
    (httpx cannot parse it: "http://0177.0.0.1/", an octal address) is refused the same way."""
    try:
        url = httpx.URL(str(url))
    except httpx.InvalidURL as exc:
        raise UnsafeUrl(f"not a usable URL ({exc})") from None
    check_url_shape(str(url))
    port = url.port or (443 if url.scheme == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(url.host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise UnsafeUrl(f"cannot resolve {url.host}") from None
    check_resolved(url.host, [info[4][0] for info in infos])
