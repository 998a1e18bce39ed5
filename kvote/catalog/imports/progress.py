"""How far a big import's preview or apply has come, for the back office's progress bar.

The worker's apply runs in one transaction, so its import row cannot show progress to anyone
else: the worker writes it through Django's cache framework instead (CACHES in settings: files
under var/cache by default, Redis with KVOTE_CACHE_URL), the page reads it.
"""

from dataclasses import dataclass

from django.core.cache import cache

TIMEOUT_SECONDS = 60 * 60


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    phase: str  # "reading", "checking" or "writing"

    @property
    def percent(self) -> int:
        if self.total <= 0:
            return 0
        return max(0, min(100, self.done * 100 // self.total))


def _key(import_id: int) -> str:
    return f"kvote:catalogue-import:{import_id}:progress"


def progress_write(import_id: int, *, phase: str, done: int, total: int) -> None:
    cache.set(_key(import_id), (phase, done, total), TIMEOUT_SECONDS)


def progress_clear(import_id: int) -> None:
    cache.delete(_key(import_id))


def progress_read(import_id: int) -> Progress | None:
    value = cache.get(_key(import_id))
    if not value:
        return None
    phase, done, total = value
    return Progress(done=int(done), total=int(total), phase=str(phase))
