"""How often a survey page may be submitted: per link and per client address, in this process.

A person answers a handful of questions a minute; a script posting to a link, or to many links from
one address, is slowed down with 429s. (Kept in memory: each replica counts its own share.)"""

from __future__ import annotations

import time
from collections import OrderedDict, deque

PER_LINK = (20, 60.0)  # submits per seconds
PER_CLIENT = (120, 60.0)
REMEMBERED = 10_000  # keys kept at most; the least recently seen are forgotten first


class SubmitLimits:
    def __init__(self) -> None:
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, link_hash: str, client: str) -> float:
        """Seconds to wait before this submit may count; 0 when it may go ahead (and is counted)."""
        now = time.monotonic()
        waits = [self._wait(f"l:{link_hash}", PER_LINK, now), self._wait(f"c:{client}", PER_CLIENT, now)]
        if max(waits) > 0:
            return max(waits)
        for key in (f"l:{link_hash}", f"c:{client}"):
            self._seen.setdefault(key, deque()).append(now)
            self._seen.move_to_end(key)
        while len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)
        return 0.0

    def _wait(self, key: str, limit: tuple[int, float], now: float) -> float:
        count, window = limit
        times = self._seen.get(key)
        if times is None:
            return 0.0
        while times and times[0] <= now - window:
            times.popleft()
        return times[0] + window - now if len(times) >= count else 0.0
