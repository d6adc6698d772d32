"""Durations as a person reads them ("2 min 5 s", "800 ms", "1 h 3 min"), not as raw timestamps.

Run pages and changelists show how long a run took and how long ago it began; a reader wants the size
of the number at a glance, so only the two largest units are kept.
"""

from datetime import datetime, timedelta

from django.utils import timezone

NO_DURATION = "—"
_UNITS = (("d", 86400), ("h", 3600), ("min", 60))


def humanize(duration: timedelta | float | int | None) -> str:
    """`duration` (a timedelta or seconds) in its two largest units; "—" for none or a negative one.

    Under a second it reads in milliseconds, under ten seconds with one decimal ("2.4 s"), since an HTTP
    attempt's second and a half matters; longer durations drop what is below their second unit.
    """
    if duration is None:
        return NO_DURATION
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
    if seconds < 0:
        return NO_DURATION
    if round(seconds * 1000) < 1000:
        return f"{round(seconds * 1000)} ms"
    if seconds < 10:
        return f"{int(max(seconds, 1) * 10) / 10:g} s"
    whole = int(seconds)
    parts: list[tuple[int, str]] = []
    for name, size in _UNITS:
        if whole >= size or parts:
            parts.append((whole // size, name))
            whole %= size
    parts.append((whole, "s"))
    return " ".join(f"{count} {name}" for count, name in parts[:2] if count)


def humanize_ms(milliseconds: float | None) -> str:
    """A duration kept in milliseconds (SyncAttempt.duration_ms), as `humanize` reads it."""
    return NO_DURATION if milliseconds is None else humanize(milliseconds / 1000)


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """How long before `now` `moment` was: "3 min ago", "just now" under a second; "" for no moment."""
    if moment is None:
        return ""
    seconds = int(((now or timezone.now()) - moment).total_seconds())
    return f"{humanize(seconds)} ago" if seconds >= 1 else "just now"
