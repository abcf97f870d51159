"""Schema fuzzing gate: schemathesis against /api/schema/ of a live CCPro on its own PostgreSQL database.

Starts gunicorn on a free loopback port over a fresh database (`<DATABASE_URL's name>_fuzz` unless
FUZZ_DATABASE is set; dropped afterwards unless FUZZ_KEEP_DATABASE=1), seeds a verified user, signs in
through POST /api/v1/authenticate and fuzzes every operation with that token (path ids: the user and
objects of theirs made through tests/gates/registry.py): >= 50 examples per operation,
failing on any server error, any response that violates the documented schema and any undocumented status
code. The operations that destroy the token they are sent (`POST user/logout`,
`POST user/{user}/securities/invalidate/{token}`, which the fuzzer does reach: it learns the token) each run
in a pass of their own, after everything else, with a fresh token.

Usage: .venv/bin/python scripts/fuzz_api.py [extra schemathesis run options]
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.liveserver import LiveServer, database_name  # noqa: E402

# Nested ids of the seeded user's own objects (tests/gates/registry.py), so fuzzing reaches real handlers.
SEED_NESTED_IDS = """
import json
from accounts.models import User
from tests.gates.registry import NESTED_IDS, PATH_VALUES
user = User.objects.get(pk=%r)
values = dict(PATH_VALUES)
for keyword, nested in NESTED_IDS.items():
    values[keyword] = nested.create(user)
print(json.dumps(values))
"""
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
PHASES = os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing")
MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "50")
# Operations that end the session they are called with go last, each on its own with a fresh token.
SESSION_ENDING = ["^/api/v1/user/logout$", "^/api/v1/user/[^/]+/securities/invalidate/[^/]+$"]
EMAIL = "fuzz@ccpro.test"
PASSWORD = "fuzz-password-1234"


CONFIG = ROOT / "var" / "schemathesis.toml"


def write_config(*, token: str, path_values: dict) -> None:
    """schemathesis.toml for this run: the token as header, every path parameter we can name fixed."""
    lines = [
        f'headers = {{ Authorization = "Bearer {token}" }}',
        "",
        "[cache]",
        "enabled = false",
        "",
        "[parameters]",
        *(f'"path.{key}" = {json.dumps(str(value))}' for key, value in sorted(path_values.items())),
        "",
    ]
    CONFIG.parent.mkdir(exist_ok=True)
    CONFIG.write_text("\n".join(lines))


def schemathesis(server: LiveServer, *filters: str, extra: list[str]) -> int:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
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
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def main(argv: list[str]) -> int:
    started = time.monotonic()
    name = os.environ.get("FUZZ_DATABASE") or f"{database_name()}_fuzz"
    keep = os.environ.get("FUZZ_KEEP_DATABASE") == "1"
    server = LiveServer(
        name=name,
        workers=2,
        keep_database=keep,
        log_path=ROOT / "var" / "fuzz-server.log",
        # Fuzzed query strings run to tens of KB; gunicorn's own 414 for a long request line is not the API's.
        gunicorn_args=("--limit-request-line", "0", "--limit-request-field_size", "0"),
    )
    with server:
        user_id = server.seed_user(EMAIL, PASSWORD)
        path_values = {**json.loads(server.manage_python(SEED_NESTED_IDS % user_id).strip().splitlines()[-1])}
        path_values["user"] = user_id
        print(f"== schema fuzzing against {server.url} (database {name}, user {user_id})", flush=True)
        passes = [["--exclude-path-regex", "|".join(SESSION_ENDING)]]
        passes += [["--include-path-regex", pattern] for pattern in SESSION_ENDING]
        codes = []
        for filters in passes:
            server.reset_cache()
            write_config(token=server.authenticate(EMAIL, PASSWORD), path_values=path_values)
            codes.append(schemathesis(server, *filters, extra=argv))
    print(f"== schema fuzzing finished in {time.monotonic() - started:.0f} s", flush=True)
    if any(codes):
        print(f"SCHEMA FUZZING FAILED (exit codes {codes}); server log: var/fuzz-server.log", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
