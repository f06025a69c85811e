"""Sending one webhook POST safely.

- The address is resolved at each delivery, not only at registration, and refused when any
  address of the name is loopback, private, link-local (the cloud metadata address
  169.254.169.254 is), multicast, reserved or unspecified, unless it lies in one of
  settings.WEBHOOK_ALLOWED_NETWORKS (an operator's own partner network; the tests' receiver).
- The connection goes to the address that was checked (no second lookup a DNS rebinding
  could answer differently); TLS still verifies the certificate for the name.
- No redirect is followed (http.client follows none), connect and read timeouts apply, and
  at most WEBHOOK_RESPONSE_CAP bytes of the answer are read, within an overall deadline.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
RESPONSE_CAP = 64 * 1024


class Refused(Exception):
    """The URL may not be called (scheme, or an address it resolves to)."""


@dataclass
class Answer:
    status: int | None
    duration_ms: int
    error: str = ""

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300


def _allowed_networks():
    return [ipaddress.ip_network(n) for n in getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", [])]


def _is_public(address):
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in network for network in _allowed_networks()):
        return True
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url):
    """(scheme, host, port, address): the URL's parts and the one address to connect to,
    or Refused. https only, unless settings.WEBHOOK_ALLOW_HTTP (DEBUG)."""
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise Refused("only https URLs" if parts.scheme == "http" else "not an http(s) URL")
    if not parts.hostname or parts.username or parts.password:
        raise Refused("the URL needs a host, and no user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("the port is not a number") from None
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(f"{parts.hostname} does not resolve") from None
    addresses = sorted({item[4][0] for item in found})
    if not addresses:
        raise Refused(f"{parts.hostname} does not resolve")
    for address in addresses:
        if not _is_public(address):
            raise Refused(f"{parts.hostname} resolves to {address}, a private or reserved address")
    return parts.scheme, parts.hostname, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, address, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), CONNECT_TIMEOUT)
        self.sock.settimeout(READ_TIMEOUT)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, address, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), CONNECT_TIMEOUT)
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(sock, server_hostname=self.host)
        self.sock.settimeout(READ_TIMEOUT)


def post(url, body, headers):
    """POST `body` (bytes) to `url`; an Answer, never an exception for the far end's
    faults. Refused when the URL may not be called."""
    scheme, host, port, address = check_url(url)
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(address, host, port)
    started = time.monotonic()
    deadline = started + CONNECT_TIMEOUT + READ_TIMEOUT
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        read = 0
        while read < RESPONSE_CAP and time.monotonic() < deadline:
            chunk = response.read1(min(8192, RESPONSE_CAP - read))
            if not chunk:
                break
            read += len(chunk)
        return Answer(response.status, _ms(started))
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        return Answer(None, _ms(started), f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()


def _ms(started):
    return int((time.monotonic() - started) * 1000)
