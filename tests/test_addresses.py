"""news.addresses: URLs typed into the chat must not reach the bot's own network."""

from __future__ import annotations

import ipaddress

import pytest

from news.addresses import (
    MAX_URL_LENGTH,
    UnsafeUrl,
    check_resolved,
    check_url_shape,
    is_public_ip,
)

NOT_PUBLIC = [
    # IPv4
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "this network 0/8"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback, end of 127/8"),
    ("10.0.0.1", "RFC 1918 10/8"),
    ("10.255.255.255", "RFC 1918 10/8, end"),
    ("172.16.0.1", "RFC 1918 172.16/12"),
    ("172.31.255.255", "RFC 1918 172.16/12, end"),
    ("192.168.1.1", "RFC 1918 192.168/16"),
    ("169.254.169.254", "cloud metadata, link-local"),
    ("169.254.0.1", "link-local"),
    ("100.64.0.1", "CGNAT"),
    ("100.127.255.254", "CGNAT, end"),
    ("192.0.0.8", "IETF protocol assignments"),
    ("192.0.2.1", "TEST-NET-1"),
    ("198.51.100.7", "TEST-NET-2"),
    ("203.0.113.9", "TEST-NET-3"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.254", "benchmarking, end"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast, SSDP"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    # IPv6
    ("::", "unspecified v6"),
    ("::1", "loopback v6"),
    ("fe80::1", "link-local v6"),
    ("fe80::1%eth0", "link-local v6 with zone"),
    ("febf::1", "link-local v6, end of fe80::/10"),
    ("fec0::1", "site-local (deprecated)"),
    ("fc00::1", "unique local fc00::/8"),
    ("fd12:3456:789a::1", "unique local fd00::/8"),
    ("fd00:ec2::254", "AWS metadata v6"),
    ("ff02::1", "multicast v6, link scope"),
    ("ff0e::1", "multicast v6, global scope"),
    ("2001:db8::1", "documentation v6"),
    ("3fff::1", "documentation v6 (RFC 9637)"),
    ("100::1", "discard-only"),
    ("2001::1", "Teredo"),
    ("2001:10::1", "ORCHID"),
    ("64:ff9b:1::a00:1", "local-use NAT64"),
    # IPv6 carrying a non-public IPv4
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:7f00:1", "IPv4-mapped loopback, hex"),
    ("::ffff:10.0.0.1", "IPv4-mapped private"),
    ("::ffff:169.254.169.254", "IPv4-mapped metadata"),
    ("::127.0.0.1", "IPv4-compatible loopback"),
    ("::a00:1", "IPv4-compatible private"),
    ("64:ff9b::a00:1", "NAT64 private"),
    ("64:ff9b::7f00:1", "NAT64 loopback"),
    ("64:ff9b::a9fe:a9fe", "NAT64 metadata"),
    ("2002:7f00:1::1", "6to4 loopback"),
    ("2002:a00:1::", "6to4 private"),
    ("2002:c0a8:101::1", "6to4 192.168.1.1"),
    # Not addresses at all: fail closed
    ("", "empty"),
    ("example.com", "a name"),
    ("1.2.3.4.5", "five parts"),
    ("2130706433", "decimal form is not parsed here"),
]

PUBLIC = [
    ("93.184.216.34", "example.com v4"),
    ("1.1.1.1", "Cloudflare DNS"),
    ("8.8.8.8", "Google DNS"),
    ("151.101.1.69", "a CDN"),
    ("100.63.255.255", "just below CGNAT"),
    ("100.128.0.0", "just above CGNAT"),
    ("172.15.255.255", "just below 172.16/12"),
    ("172.32.0.0", "just above 172.16/12"),
    ("223.255.255.254", "just below multicast"),
    ("2606:2800:220:1:248:1893:25c8:1946", "example.com v6"),
    ("2606:4700:4700::1111", "Cloudflare DNS v6"),
    ("2a00:1450:4001:81c::200e", "Google v6"),
    ("::ffff:93.184.216.34", "IPv4-mapped public"),
    ("64:ff9b::808:808", "NAT64 public"),
    ("2002:5db8:d822::1", "6to4 public"),
    ("[2606:4700:4700::1111]", "bracketed"),
]


@pytest.mark.parametrize("address", [pytest.param(a, id=f"{a} {why}") for a, why in NOT_PUBLIC])
def test_not_public(address: str) -> None:
    assert is_public_ip(address) is False


@pytest.mark.parametrize("address", [pytest.param(a, id=f"{a} {why}") for a, why in PUBLIC])
def test_public(address: str) -> None:
    assert is_public_ip(address) is True


@pytest.mark.parametrize(
    ("address", "public"),
    [
        (ipaddress.IPv4Address("10.1.2.3"), False),
        (ipaddress.IPv4Address("1.1.1.1"), True),
        (ipaddress.IPv6Address("::ffff:192.168.0.1"), False),
        (ipaddress.IPv6Address("2606:4700:4700::1001"), True),
    ],
)
def test_is_public_ip_accepts_address_objects(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, public: bool
) -> None:
    assert is_public_ip(address) is public


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # Schemes
        ("ftp://example.com/feed", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("gopher://example.com:70/", "only http and https"),
        ("data:text/xml,<rss/>", "only http and https"),
        ("example.com/feed", "only http and https"),
        ("//example.com/feed", "only http and https"),
        # Shape
        ("", "not a URL"),
        ("   ", "not a URL"),
        ("http://", "no host"),
        ("http:///feed", "no host"),
        ("https://:443/feed", "no host"),
        ("http://user:pass@example.com/", "user name or password"),
        ("http://user@example.com/", "user name or password"),
        ("http://127.0.0.1\\@example.com/", "user name or password"),
        ("http://example.com@127.0.0.1/", "user name or password"),
        ("https://example.com/" + "a" * MAX_URL_LENGTH, "too long"),
        ("https://exa mple.com/", "spaces or control"),
        ("https://example.com/\nfeed", "spaces or control"),
        ("https://example.com/\tfeed", "spaces or control"),
        ("https://example.com:99999/", "invalid port"),
        ("https://example.com:http/", "invalid port"),
        ("http://[::1/", "not a valid URL"),
        ("http://exa%6dple.com/", "host name is not valid"),
        ("http://a..b.com/", "host name is not valid"),
        ("http://.example.com/", "host name is not valid"),
        ("http://exam*ple.com/", "host name is not valid"),
        # Local names
        ("http://localhost/", "local network"),
        ("http://LOCALHOST:8080/feed", "local network"),
        ("http://localhost./", "local network"),
        ("http://ｌｏｃａｌｈｏｓｔ/", "local network"),
        ("http://api.localhost/", "local network"),
        ("http://printer.local/", "local network"),
        ("http://metadata.google.internal/computeMetadata/v1/", "local network"),
        ("http://db.corp.internal/", "local network"),
        ("http://nas.home.arpa/", "local network"),
        ("http://localhost.localdomain/", "local network"),
        ("http://intranet/", "not a public host name"),
        # IPv4 literals, including the forms inet_aton reads
        ("http://127.0.0.1/", "local (127.0.0.1)"),
        ("http://127.0.0.1./", "local"),
        ("http://127.1/", "local (127.1 = 127.0.0.1)"),
        ("http://2130706433/", "local (2130706433 = 127.0.0.1)"),
        ("http://0177.0.0.1/", "local (0177.0.0.1 = 127.0.0.1)"),
        ("http://0x7f.1/", "local (0x7f.1 = 127.0.0.1)"),
        ("http://0x7f000001/", "local"),
        ("http://0X7F.0.0.1/", "local"),
        ("http://0/", "not public"),
        ("http://0.0.0.0:8080/", "not public"),
        ("http://10.0.0.1/", "that address is private (10.0.0.1)"),
        ("http://012.0.0.1/", "private (012.0.0.1 = 10.0.0.1)"),
        ("http://192.168.0.1:8080/admin", "private"),
        ("http://3232235521/", "private (3232235521 = 192.168.0.1)"),
        ("http://169.254.169.254/latest/meta-data/", "link-local (169.254.169.254)"),
        ("http://0xa9fea9fe/", "link-local (0xa9fea9fe = 169.254.169.254)"),
        ("http://100.64.0.1/", "private"),
        ("http://224.0.0.1/", "multicast"),
        ("http://255.255.255.255/", "not public"),
        ("http://1.2.3.4.5/", "not a valid IP address"),
        ("http://999.1.1.1/", "not a valid IP address"),
        ("http://example.08/", "not a valid IP address"),
        # IPv6 literals
        ("http://[::1]/", "local (::1)"),
        ("http://[::1]:8080/", "local"),
        ("http://[::]/", "not public"),
        ("http://[::ffff:127.0.0.1]/", "local (::ffff:127.0.0.1)"),
        ("http://[::ffff:7f00:1]/", "local"),
        ("http://[::ffff:a9fe:a9fe]/", "link-local"),
        ("http://[64:ff9b::a00:1]/", "private"),
        ("http://[fd00:ec2::254]/", "private"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fe80::1%25eth0]/", "not a valid IP address"),
        ("http://[ff02::1]/", "multicast"),
        ("http://[example.com]/", "not a valid URL"),
    ],
)
def test_url_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeUrl) as raised:
        check_url_shape(url)
    assert reason in str(raised.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/feed", "https://example.com/feed"),
        ("  http://example.com/rss.xml\n", "http://example.com/rss.xml"),
        ("HTTPS://Example.COM/Feed?A=1&b=2#x", "HTTPS://Example.COM/Feed?A=1&b=2#x"),
        ("https://www.ithome.com/rss/", "https://www.ithome.com/rss/"),
        ("https://habr.com/ru/rss/news/?fl=ru", "https://habr.com/ru/rss/news/?fl=ru"),
        ("https://example.com:8443/feed", "https://example.com:8443/feed"),
        ("https://example.com./feed", "https://example.com./feed"),
        ("https://my_feeds.example.com/", "https://my_feeds.example.com/"),
        ("https://пример.рф/rss", "https://пример.рф/rss"),
        ("https://xn--e1afmkfd.xn--p1ai/rss", "https://xn--e1afmkfd.xn--p1ai/rss"),
        ("https://93.184.216.34/feed", "https://93.184.216.34/feed"),
        ("https://1572395042/feed", "https://1572395042/feed"),  # 93.184.216.34
        ("http://1.1.1.1/", "http://1.1.1.1/"),
        (
            "https://[2606:2800:220:1:248:1893:25c8:1946]/",
            "https://[2606:2800:220:1:248:1893:25c8:1946]/",
        ),
        ("https://[::ffff:93.184.216.34]:443/", "https://[::ffff:93.184.216.34]:443/"),
        ("https://localhost.example.com/", "https://localhost.example.com/"),
        ("https://local.example.com/", "https://local.example.com/"),
        ("https://example.com/" + "a" * (MAX_URL_LENGTH - 20), None),
    ],
)
def test_url_accepted(url: str, expected: str | None) -> None:
    assert check_url_shape(url) == (expected or url)


def test_unsafe_url_is_a_value_error() -> None:
    assert issubclass(UnsafeUrl, ValueError)


@pytest.mark.parametrize(
    "addresses",
    [
        pytest.param(["93.184.216.34"], id="one v4"),
        pytest.param(["2606:2800:220:1:248:1893:25c8:1946"], id="one v6"),
        pytest.param(["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"], id="v4 and v6"),
        pytest.param(["1.1.1.1", "1.0.0.1", "1.1.1.1"], id="repeated"),
        pytest.param(iter(["8.8.8.8"]), id="an iterator"),
    ],
)
def test_resolved_accepted(addresses: list[str]) -> None:
    assert check_resolved("example.com", addresses) is None


@pytest.mark.parametrize(
    ("addresses", "reason"),
    [
        pytest.param([], "does not resolve to any address", id="none"),
        pytest.param(iter(()), "does not resolve to any address", id="empty iterator"),
        pytest.param(["127.0.0.1"], "local (127.0.0.1)", id="loopback"),
        pytest.param(["93.184.216.34", "10.0.0.1"], "private (10.0.0.1)", id="public then private"),
        pytest.param(["10.0.0.1", "93.184.216.34"], "private (10.0.0.1)", id="private then public"),
        pytest.param(
            ["2606:2800:220:1:248:1893:25c8:1946", "::1"], "local (::1)", id="public v6 then ::1"
        ),
        pytest.param(["93.184.216.34", "169.254.169.254"], "link-local", id="public then metadata"),
        pytest.param(["1.1.1.1", "fd00:ec2::254"], "private", id="public then AWS v6 metadata"),
        pytest.param(["::ffff:192.168.1.1"], "private (::ffff:192.168.1.1)", id="mapped private"),
        pytest.param(["fe80::1%eth0"], "link-local", id="link-local with zone"),
        pytest.param(["1.1.1.1", "not-an-ip"], "not an IP address", id="garbage"),
    ],
)
def test_resolved_refused(addresses: list[str], reason: str) -> None:
    with pytest.raises(UnsafeUrl) as raised:
        check_resolved("feeds.example.com", addresses)
    message = str(raised.value)
    assert message.startswith("feeds.example.com ")
    assert reason in message
