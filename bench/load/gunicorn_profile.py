"""gunicorn config for the profile run: each worker profiles the requests it serves (logins left
out) with pyinstrument, started before and stopped after every request, the sessions combined,
and saves the combined session to $KVOTE_PROFILE_DIR/profile-<pid>.pyisession when it exits
(bench/load/phases.py renders it)."""

import os
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

_profiler = Profiler(interval=0.001)
# Logging in hashes the password (PBKDF2, about 0.4 s of CPU): once per user, not the steady load.
SKIPPED = ("/login/", "/api/v1/auth/token")


def pre_request(worker: Any, req: Any) -> None:
    if req.path not in SKIPPED:
        _profiler.start()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    if _profiler.is_running:
        _profiler.stop()


def worker_exit(server: Any, worker: Any) -> None:
    if _profiler.last_session is not None:
        folder = Path(os.environ["KVOTE_PROFILE_DIR"])
        _profiler.last_session.save(folder / f"profile-{os.getpid()}.pyisession")
