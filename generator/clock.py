"""The only clock: today's date, pinned by SOURCE_DATE_EPOCH when it is set (reproducible builds)."""

from __future__ import annotations

import datetime as dt
import os


def today() -> str:
    """ISO date (UTC) of now, or of SOURCE_DATE_EPOCH when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return moment.date().isoformat()
