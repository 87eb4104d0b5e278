"""Deploy targets: a URL that names where the site goes, and the credentials found for it outside the project.

    file:///srv/www/site                   a local or mounted folder
    ftps://user@host:21/public_html        FTP with explicit TLS (AUTH TLS), the data channel encrypted too
    ftp://user@host:21/public_html         plain FTP: only when the URL says ftp://, and with a warning
    sftp://user@host:22/var/www/site       SFTP; a path starting /~/ is inside the user's home folder
    ssh://user@host:22/var/www/site        rsync over SSH where rsync exists on both ends, SFTP otherwise

A URL never holds a password: passwords come from `CLINIC_PAGES_DEPLOY_PASSWORD` or `~/.netrc`, SSH keys from
the agent, `~/.ssh/` or `CLINIC_PAGES_DEPLOY_SSH_KEY`, and they are never printed.
"""

from __future__ import annotations

import ipaddress
import netrc
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.errors import ClinicPagesError

SCHEMES = ("file", "ftp", "ftps", "sftp", "ssh")
DEFAULT_PORTS = {"ftp": 21, "ftps": 21, "sftp": 22, "ssh": 22}
PASSWORD_ENV = "CLINIC_PAGES_DEPLOY_PASSWORD"
SSH_KEY_ENV = "CLINIC_PAGES_DEPLOY_SSH_KEY"
KNOWN_HOSTS_ENV = "CLINIC_PAGES_DEPLOY_KNOWN_HOSTS"
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")


class DeployError(ClinicPagesError):
    """A deploy could not start or finish; the message says what to do next."""


class ConnectionLost(DeployError):
    """The connection dropped in the middle of the work; running the deploy again finishes it."""


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
    """(message, hint) when `url` is not a usable target URL, else None. Used by site.yaml's schema too."""
    try:
        parse_target(url)
    except DeployError as exc:
        message, _, hint = str(exc).partition("\n    hint: ")
        return message, hint
    return None


def parse_target(url: str, name: str = "") -> Target:
    """Parse a target URL; refuse unknown schemes, passwords written in the URL and malformed addresses."""
    hint_forms = "for example file:///srv/www/site, ftps://user@host/public_html or sftp://user@host/var/www"
    if not isinstance(url, str) or "://" not in url:
        raise _error(f"expected a target URL, found {url!r}", hint_forms)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise _error(f"cannot read the target URL: {exc}", hint_forms) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise _error(f"unknown kind of target `{scheme}://`", f"use one of {', '.join(s + '://' for s in SCHEMES)}")
    if parts.password is not None:
        raise _error("the target URL contains a password",
                     f"remove it from the URL and set {PASSWORD_ENV} or use ~/.netrc; never keep passwords in "
                     "project files")
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


def with_credentials(target: Target) -> Target:
    """The target with its password from the environment or ~/.netrc (FTP needs one; SSH may use keys)."""
    if target.scheme == "file":
        return target
    password = os.environ.get(PASSWORD_ENV, "")
    user = target.user
    if not password:
        entry = _netrc_entry(target.host)
        if entry is not None:
            login, _, secret = entry
            if not user or not login or login == user:
                user, password = user or login or "", secret or ""
    if target.scheme in ("ftp", "ftps"):
        if not user:
            user = "anonymous"
        if not password and user != "anonymous":
            raise DeployError(f"no password for {user}@{target.host}\n    hint: set {PASSWORD_ENV} in the "
                              f"environment, or add `machine {target.host} login {user} password ...` to ~/.netrc")
    return Target(target.scheme, target.host, target.port, user, target.path, target.name, password)


def _netrc_entry(host: str) -> tuple[str, str, str] | None:
    path = Path(os.path.expanduser("~/.netrc"))
    if not path.is_file():
        return None
    try:
        return netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        # The parse error quotes no secret, only the file, line and what was wrong.
        raise DeployError(f"cannot read ~/.netrc: {getattr(exc, 'msg', exc)}\n    hint: fix the file, or set "
                          f"{PASSWORD_ENV} instead; it must be readable only by you (chmod 600 ~/.netrc)") from None


def redact(text: str, target: Target | None) -> str:
    """Remove the password from any text that came from a server or a library."""
    if target is not None and target.password:
        text = text.replace(target.password, "***")
    return text


def _is_ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address)
    except ValueError:
        return False


def _error(message: str, hint: str) -> DeployError:
    return DeployError(f"{message}\n    hint: {hint}")


def resolve_target(targets: dict[str, str], default: str | None, given: str | None) -> Target:
    """The target a deploy goes to: a URL given on the command line, a name from site.yaml, or its default."""
    if given and "://" in given:
        return parse_target(given)
    names = sorted(targets)
    example = "give a URL such as `clinic-pages deploy ftps://user@host/public_html`, or name targets in " \
              "site.yaml under deploy: targets: (see docs/deploying.md)"
    if not given:
        if default:
            given = default
        elif len(names) == 1:
            given = names[0]
        elif names:
            raise DeployError(f"site.yaml names {len(names)} deploy targets and no default\n    hint: say which: "
                              f"`clinic-pages deploy {names[0]}`, or set deploy: default: in site.yaml")
        else:
            raise DeployError(f"no deploy target\n    hint: {example}")
    if given not in targets:
        import difflib

        close = difflib.get_close_matches(given, names, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else (
            f"site.yaml names: {', '.join(names)}" if names else example)
        raise DeployError(f"unknown deploy target `{given}`\n    hint: {hint}")
    return parse_target(targets[given], name=given)
