"""Deploy target URLs, parsed and checked without touching a network or a file: site.yaml's validation (model)
and deploy both read them here, so the data phase need not import the deploy phase.

    file:///srv/www/site                   a local or mounted folder
    ftps://user@host:21/public_html        FTP with explicit TLS (AUTH TLS), the data channel encrypted too
    ftp://user@host:21/public_html         plain FTP: only when the URL says ftp://, and with a warning
    sftp://user@host:22/var/www/site       SFTP; a path starting /~/ is inside the user's home folder
    ssh://user@host:22/var/www/site        rsync over SSH where rsync exists on both ends, SFTP otherwise

A URL never holds a password (see generator/deploy/target.py for where credentials come from).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from generator.errors import DeployError, printable

SCHEMES = ("file", "ftp", "ftps", "sftp", "ssh")
DEFAULT_PORTS = {"ftp": 21, "ftps": 21, "sftp": 22, "ssh": 22}
PASSWORD_ENV = "CLINIC_PAGES_DEPLOY_PASSWORD"
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")


@dataclass(frozen=True)
class Target:
    """A parsed target URL. `str()` shows it without any secret, fit for messages."""

    scheme: str
    host: str = ""
    port: int = 0
    user: str = ""
    path: str = ""                                  # remote folder ("" means the login folder)
    name: str = ""                                  # the name in site.yaml, if it came from there
    password: str = field(default="", repr=False)   # filled by with_credentials(), never shown

    def __str__(self) -> str:
        if self.scheme == "file":
            return f"file://{self.path}"
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port != DEFAULT_PORTS[self.scheme] else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}{port}{self.path}"

    @property
    def label(self) -> str:
        return f"{self.name} ({self})" if self.name else str(self)


def url_problem(url: str) -> tuple[str, str] | None:
    """(message, hint) when `url` is not a usable target URL, else None (site.yaml's schema uses it)."""
    try:
        parse_target(url)
    except DeployError as exc:
        message, _, hint = str(exc).partition("\n    hint: ")
        return message, hint
    return None


def shown_url(url: object) -> str:
    """A target URL (or what was given as one) as it may be shown: whatever may be a password masked, from the
    first ':' before an '@' to the last '@' (a password may hold '/', '#', '?' or '@'), control characters
    escaped."""
    if not isinstance(url, str):
        return printable(repr(url))
    head, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    if "@" in rest:
        secretive, at, after = rest.rpartition("@")
        user, colon, _ = secretive.partition(":")
        rest = f"{user}:***{at}{after}" if colon else rest
    return printable(f"{head}{sep}{rest}")


def _has_password(url: str) -> bool:
    """True when a ':' stands before the first '@' after '://': `user:password@host`, whatever the password holds
    (urlsplit would read `user:pa/ss@host` as host `user` and port `pa`, and quote them in its errors)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    return "@" in rest and ":" in rest.split("@", 1)[0]


def parse_target(url: str, name: str = "") -> Target:
    """Parse a target URL; refuse unknown schemes, passwords written in the URL and malformed addresses. No
    message quotes a part of a URL that holds a password."""
    hint_forms = "for example file:///srv/www/site, ftps://user@host/public_html or sftp://user@host/var/www"
    if isinstance(url, str) and _has_password(url):
        raise _error("the target URL contains a password",
                     f"remove it from the URL and set {PASSWORD_ENV} or use ~/.netrc; never keep passwords in "
                     "project files (an '@' in the folder's name is written %40)")
    if not isinstance(url, str) or "://" not in url:
        raise _error(f"expected a target URL, found `{shown_url(url)}`", hint_forms)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise _error(f"cannot read the target URL: {exc}", hint_forms) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise _error(f"unknown kind of target `{shown_url(scheme)}://`",
                     f"use one of {', '.join(s + '://' for s in SCHEMES)}")
    if parts.query or parts.fragment:
        raise _error("a target URL takes no ?query or #fragment", hint_forms)
    path = unquote(parts.path)
    if any(ord(c) < 32 for c in path):
        raise _error("the target folder contains a control character", "check the URL")
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise _error(f"file:// targets are local folders, found host `{parts.netloc}`",
                         "write three slashes: file:///srv/www/site")
        if not path.startswith("/") or path.rstrip("/") == "":
            raise _error("a file:// target needs an absolute folder other than /", "such as file:///srv/www/site")
        return Target("file", path=path.rstrip("/"), name=name)
    host = parts.hostname or ""
    if not _HOST.match(host) and not _is_ipv6(host):
        raise _error(f"the {scheme}:// target has no valid host name", f"such as {scheme}://user@host/folder")
    user = unquote(parts.username or "")
    if scheme in ("sftp", "ssh") and not user:
        raise _error(f"the {scheme}:// target has no user name", f"write {scheme}://USER@{host}{path or '/'}")
    path = path.rstrip("/") if path not in ("", "/") else path
    return Target(scheme, host=host, port=port or DEFAULT_PORTS[scheme], user=user, path=path, name=name)


def _is_ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address)
    except ValueError:
        return False


def _error(message: str, hint: str) -> DeployError:
    return DeployError(f"{message}\n    hint: {hint}")


