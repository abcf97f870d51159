"""In-process timing of the load targets: a steadier figure than wrk on a shared machine.

    .venv/bin/python benchmarks/inprocess.py [--requests 500] [--profile price] [--only NAME] [--keep]

Creates `<DATABASE_URL's name>_inproc` (migrated, one verified user signed in, the targets' seeds run),
then sends each target `--requests` requests through Django's full WSGI stack (middleware included, no
socket, no test client) and prints the server's wall and CPU time per request and the SQL queries each one makes.
`--profile NAME` runs cProfile over that target and prints the top functions. The load figures in
docs/performance.md still come from benchmarks/load.py; this is for finding where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.liveserver import LiveServer, database_name  # noqa: E402
from benchmarks.load import EMAIL, PASSWORD, TARGETS, seed_code  # noqa: E402


class WsgiResponse:
    def __init__(self, status: str, content: bytes):
        self.status_code = int(status.split()[0])
        self.content = content

    def json(self):
        return json.loads(self.content)


class WsgiClient:
    """Requests straight into Django's WSGIHandler, as gunicorn sends them: django.test.Client adds its own work
    (signal receivers connected and disconnected per request, template instrumentation, cookie handling) that
    the server does not do, about 0.05 ms a request."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()

    def generic(self, method: str, path: str, body: str = "", **headers) -> WsgiResponse:
        path, _, query = path.partition("?")
        data = body.encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(data),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            **headers,
        }
        if data:
            environ.update({"CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(data))})
        statuses = []
        result = self.handler(environ, lambda status, response_headers, exc_info=None: statuses.append(status))
        try:
            content = b"".join(result)
        finally:
            result.close()
        return WsgiResponse(statuses[0], content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", help="a target name prefix to run under cProfile")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run (no migrate)")
    parser.add_argument("--only", help="measure only the targets whose name starts with this (and the floor)")
    args = parser.parse_args()

    name = os.environ.get("BENCH_DATABASE") or f"{database_name()}_inproc"
    server = LiveServer(name=name, settings="benchmarks.settings", keep_database=True)
    if not args.keep:
        server.create_database()
        server.manage("migrate", "--noinput")
        user_id = server.seed_user(EMAIL, PASSWORD)
        values = {"user": user_id}
        for target in TARGETS:
            if target.seed:
                values.update(json.loads(server.manage_python(seed_code(target, user_id)).strip().splitlines()[-1]))
        (ROOT / "var").mkdir(exist_ok=True)
        (ROOT / "var" / "inproc-values.json").write_text(json.dumps(values))
    values = json.loads((ROOT / "var" / "inproc-values.json").read_text())

    os.environ.update({"DJANGO_SETTINGS_MODULE": "benchmarks.settings", "DATABASE_URL": server.database_url})
    import django

    django.setup()
    from django.db import connection

    client = WsgiClient()
    response = client.generic("POST", "/api/v1/authenticate", json.dumps({"email": EMAIL, "password": PASSWORD}))
    token = response.json()["data"]["id"]

    walk = iter(values.pop("walk", []))
    for target in TARGETS:
        if args.only and not (target.name.startswith(args.only) or target.name.startswith("floor")):
            continue
        try:
            path = target.path.format(**values)
        except KeyError:
            continue
        headers = {"HTTP_ACCEPT": "application/json"}
        if target.auth:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        # A target on one-use objects (transfer confirm) takes the next seeded id for each request, as load.py's
        # wrk script does: repeating the first id would measure the 409 of an already completed transfer.
        walks = "{transfer}" in target.path

        def call(target=target, path=path, headers=headers, walks=walks):
            if walks:
                path = target.path.format(**{**values, "transfer": next(walk)})
            body = "" if target.method == "GET" else json.dumps(target.body)
            return client.generic(target.method, path, body, **headers)

        first = call()
        if first.status_code >= 300:
            print(f"SKIP {target.name}: {first.status_code}")
            continue
        for _ in range(50):  # warm-up
            call()
        queries = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            call()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            call()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{target.name:42} wall {wall / args.requests * 1000:6.3f} ms  cpu {cpu / args.requests * 1000:6.3f} ms"
            f"  queries {len(queries)}",
            flush=True,
        )
        if args.profile and target.name.startswith(args.profile):
            for sql in queries:
                print("   SQL", sql[:300])
            profiler = cProfile.Profile(time.process_time)  # CPU: steady on a busy machine
            profiler.enable()
            for _ in range(args.requests):
                call()
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.limit)
            print(out.getvalue())
    # What is left of the walk, so that a `--keep` run goes on with transfers not confirmed yet.
    (ROOT / "var" / "inproc-values.json").write_text(json.dumps({**values, "walk": list(walk)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
