"""The only clock: today's date, pinned by SOURCE_DATE_EPOCH when it is set (reproducible builds)."""

from __future__ import annotations

import datetime as dt
import os

from generator.errors import ClinicPagesError


def today() -> str:
    """ISO date (UTC) of now, or of SOURCE_DATE_EPOCH when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return dt.datetime.now(dt.UTC).date().isoformat()
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        raise ClinicPagesError(
            f"SOURCE_DATE_EPOCH is {epoch!r}, not a date: it must be a whole number of seconds since 1 January 1970 "
            "(such as 1767225600 for 2026-01-01); set it to one, or unset it to use today's date") from None
