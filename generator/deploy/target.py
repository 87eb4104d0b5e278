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

import netrc
import os
from pathlib import Path

from generator.errors import DeployError
from generator.target_url import (
    DEFAULT_PORTS,
    PASSWORD_ENV,
    SCHEMES,
    Target,
    parse_target,
    shown_url,
    url_problem,
)
from generator.text import did_you_mean

__all__ = ["DEFAULT_PORTS", "KNOWN_HOSTS_ENV", "PASSWORD_ENV", "SCHEMES", "SSH_KEY_ENV", "ConnectionLost",
           "DeployError", "Target", "parse_target", "redact", "resolve_target", "url_problem", "with_credentials"]

SSH_KEY_ENV = "CLINIC_PAGES_DEPLOY_SSH_KEY"
KNOWN_HOSTS_ENV = "CLINIC_PAGES_DEPLOY_KNOWN_HOSTS"


class ConnectionLost(DeployError):
    """The connection dropped in the middle of the work; running the deploy again finishes it."""


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
        hint = did_you_mean(given, names) or (f"site.yaml names: {', '.join(names)}" if names else example)
        raise DeployError(f"unknown deploy target `{shown_url(given)}`\n    hint: {hint}")
    return parse_target(targets[given], name=given)
