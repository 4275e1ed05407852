"""Article links in one canonical form, so two links to the same article compare equal.

Pure functions, no I/O. canonical_link(url, base), in order:
 1. None, empty or blank -> None. Surrounding whitespace is stripped and tabs/newlines inside
    removed (feeds wrap <link> values in newlines; browsers drop those characters too).
 2. Protocol-relative "//host/path" takes the base's scheme, or https without an http(s) base;
    other relative links are resolved against `base` with urllib.parse.urljoin.
 3. Only http and https results are returned: javascript:, mailto:, data:, ftp:, a relative
    link without a base, or anything unparsable -> None.
 4. Scheme and host are lowercased (a trailing dot on the host goes); the default port
    (:80 for http, :443 for https) is removed; user info and other ports are kept.
 5. The path is kept exactly as written (case, encoding, trailing slash); an empty path
    becomes "/".
 6. Tracking parameters are removed from the query: names in TRACKING_PARAMS or starting
    with one of TRACKING_PREFIXES, compared case-insensitively after percent-decoding. All
    other parameters stay in their original order and encoding; an empty query goes.
 7. The fragment is removed.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

# Exact parameter names (lowercase) that only say where a click came from.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # ad-click ids: Facebook, Google (gclid, dclid, gbraid, wbraid), Microsoft, Yandex,
        # X/Twitter, TikTok, LinkedIn
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "ysclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        # e-mail campaigns: Mailchimp, HubSpot, Marketo, Vero
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "vero_id",
        # Google Analytics cross-domain linker
        "_ga",
        "_gl",
        # referral markers added by share buttons and syndication
        "ref_src",
        "ref_url",
        "__twitter_impression",
        "sr_share",
        "ncid",
        "cmpid",
        "cmp",  # the Guardian's "CMP=twt_gu"
        "ocid",  # Microsoft/MSN
        "icid",
        "s_cid",  # Adobe
        "wt_mc",  # heise: "?wt_mc=rss.ho.beitrag.rdf"
        "wt_zmc",
        "at_medium",  # AT Internet
        "at_campaign",
        "spm",  # Alibaba/Taobao/AliExpress
        # Yahoo/Engadget consent redirects
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
    }
)
# Name prefixes: Google's utm_* and AT Internet's at_custom1..4.
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "at_custom")
# Deliberately kept: "si" (on YouTube/Spotify only, and a real parameter elsewhere), "from",
# "rss", "ref" — too often part of the address itself.

_TAB_NEWLINE = re.compile(r"[\t\r\n]")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_BAD_HOST_CHARS = frozenset('<>"{}|\\^`')


def _valid_host(host: str) -> bool:
    return bool(host) and not any(ch.isspace() or ch in _BAD_HOST_CHARS for ch in host)


def _is_tracking(name: str) -> bool:
    key = unquote_plus(name).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _clean_query(query: str) -> str:
    # Split by hand rather than parse_qsl/urlencode: the kept pairs must come back byte for
    # byte (same order, same percent-encoding, "a" without "=" stays "a").
    kept = [pair for pair in query.split("&") if pair and not _is_tracking(pair.split("=", 1)[0])]
    return "&".join(kept)


def canonical_link(url: str | None, base: str | None = None) -> str | None:
    """An absolute, canonical http(s) link, or None when there is none (see module doc)."""
    if url is None:
        return None
    url = _TAB_NEWLINE.sub("", url.strip())
    if not url:
        return None
    base = _TAB_NEWLINE.sub("", base.strip()) if base else None
    try:
        base_scheme = urlsplit(base).scheme.lower() if base else ""
        if url.startswith("//"):
            url = (base_scheme if base_scheme in _DEFAULT_PORTS else "https") + ":" + url
        elif base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            return None
        host = (parts.hostname or "").rstrip(".")  # hostname is already lowercased
        if not _valid_host(host):
            return None
        port = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError:
        return None
    if ":" in host:  # IPv6 literal: hostname came without its brackets
        host = f"[{host}]"
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if "@" in parts.netloc:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = parts.path or "/"
    query = _clean_query(parts.query) if parts.query else ""
    return urlunsplit((scheme, netloc, path, query, ""))


def is_http_url(text: str) -> bool:
    """Syntactically an absolute http(s) URL with a host (no whitespace inside)."""
    if not text:
        return False
    text = text.strip()
    if not text or any(ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        _ = parts.port  # validates the port
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and _valid_host(
        (parts.hostname or "").rstrip(".")
    )
