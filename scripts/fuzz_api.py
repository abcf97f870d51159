"""Schema fuzzing gate: schemathesis against /api/schema/ of a live CCPro on its own PostgreSQL database.

Starts gunicorn on a free loopback port over a fresh database (`<DATABASE_URL's name>_fuzz` unless
FUZZ_DATABASE is set; dropped afterwards unless FUZZ_KEEP_DATABASE=1), seeds a verified user, signs in
through POST /api/v1/authenticate and fuzzes every operation with that token: >= 50 examples per operation,
failing on any server error, any response that violates the documented schema and any undocumented status
code. The operations that destroy the token they are sent (`POST user/logout`,
`POST user/{user}/securities/invalidate/{token}`, which the fuzzer does reach: it learns the token) each run
in a pass of their own, after everything else, with a fresh token.

Usage: .venv/bin/python scripts/fuzz_api.py [extra schemathesis run options]
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.liveserver import LiveServer, database_name  # noqa: E402

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
PHASES = os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing")
MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "50")
# Operations that end the session they are called with go last, each on its own with a fresh token.
SESSION_ENDING = ["^/api/v1/user/logout$", "^/api/v1/user/[^/]+/securities/invalidate/[^/]+$"]
EMAIL = "fuzz@ccpro.test"
PASSWORD = "fuzz-password-1234"


def schemathesis(server: LiveServer, env: dict, *filters: str, extra: list[str]) -> int:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(ROOT / "scripts" / "schemathesis.toml"),
        "run",
        f"{server.url}/api/schema/",
        "--checks",
        CHECKS,
        "--phases",
        PHASES,
        "--max-examples",
        MAX_EXAMPLES,
        "--workers",
        "2",
        "--suppress-health-check",
        "too_slow,filter_too_much",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
        *filters,
        *extra,
    ]
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def main(argv: list[str]) -> int:
    started = time.monotonic()
    name = os.environ.get("FUZZ_DATABASE") or f"{database_name()}_fuzz"
    keep = os.environ.get("FUZZ_KEEP_DATABASE") == "1"
    with LiveServer(name=name, workers=2, keep_database=keep, log_path=ROOT / "var" / "fuzz-server.log") as server:
        user_id = server.seed_user(EMAIL, PASSWORD)
        print(f"== schema fuzzing against {server.url} (database {name}, user {user_id})", flush=True)
        passes = [["--exclude-path-regex", "|".join(SESSION_ENDING)]]
        passes += [["--include-path-regex", pattern] for pattern in SESSION_ENDING]
        codes = []
        for filters in passes:
            server.reset_cache()
            token = server.authenticate(EMAIL, PASSWORD)
            env = {**os.environ, "CCPRO_FUZZ_TOKEN": token, "CCPRO_FUZZ_USER_ID": user_id}
            codes.append(schemathesis(server, env, *filters, extra=argv))
    print(f"== schema fuzzing finished in {time.monotonic() - started:.0f} s", flush=True)
    if any(codes):
        print(f"SCHEMA FUZZING FAILED (exit codes {codes}); server log: var/fuzz-server.log", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
