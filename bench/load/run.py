"""Load benchmark: start Lianmeng in production mode, step the simulated users up with locust, and print
the figures of docs/scale.md ("Load") as markdown.

    .venv/bin/pip install -e '.[load]'                       # locust (not in the dev extra)
    .venv/bin/python bench/load/run.py --database sqlite      # demo scale in var/load-sqlite (made if absent)
    .venv/bin/python bench/load/run.py --database-url postgresql://postgres@127.0.0.1:5432/lm_national \\
        --redis-url redis://127.0.0.1:6379/5 --no-writes

The server is ``lianmeng serve`` with DEBUG off, 2 workers (``--workers``), ``SECRET_KEY`` set,
``TRUSTED_PROXIES=127.0.0.1`` (each simulated user is its own client address), ``CONN_MAX_AGE=60``,
the settings ``bench.load.settings`` (the site's, plus the floor view ``/bench/floor/``). Requests
are logged as in production (one line per request, to ``<var>/load/server.log``).

For each step of ``--steps`` users: one locust run of ``--duration`` seconds (statistics reset once
every user has started and signed in), while the CPU time and the resident memory of each server
process (gunicorn master, workers), of the database's own backends and of Redis are sampled every
second. The report: one row per step (request rate, p50/p95/p99 over all journeys, errors, load
average, CPU and RSS), the highest step whose p95 stays under 200 ms, and per journey at that step
p50/p95/p99, rate and the p50 as a multiple of the floor's.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from journeys import FLOOR, JOURNEYS, USER_WEIGHTS  # noqa: E402

BIN = Path(sys.executable).parent
P95_TARGET_MS = 200


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", help="PostgreSQL database to measure (implies --database postgres)")
    parser.add_argument("--var-dir", type=Path, help="var directory (default var/load-<database>)")
    parser.add_argument("--redis-url", default="", help="REDIS_URL for the server (cache and counters)")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", default="4,8,16,32,64", help="simulated users per step")
    parser.add_argument("--duration", type=int, default=60, help="seconds measured per step")
    parser.add_argument("--no-writes", action="store_true", help="leave out the registration POST")
    parser.add_argument("--output", type=Path, help="also write the figures as JSON here")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of the benchmark (server and locust): its process group (autogroup) and each process;"
        " negative needs root. On a machine shared with other work the scheduler gives every session an equal"
        " share of the CPU, so the server otherwise gets what one test run gets.",
    )
    parser.add_argument(
        "--report", type=Path, help="print the markdown of a JSON written by --output, run nothing"
    )
    args = parser.parse_args(argv)
    if args.report:
        print(markdown(json.loads(args.report.read_text(encoding="utf-8"))))
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    if args.nice:
        autogroup = Path("/proc/self/autogroup")
        if autogroup.exists():
            autogroup.write_text(str(args.nice))
    if args.database_url:
        args.database = "postgres"
    var_dir = (args.var_dir or ROOT / "var" / f"load-{args.database}").resolve()
    (var_dir / "load").mkdir(parents=True, exist_ok=True)
    env = server_env(args, var_dir)
    if args.database == "sqlite" and not (var_dir / "lianmeng.sqlite3").exists():
        prepare_demo(env)
    steps = [int(s) for s in args.steps.split(",")]
    context = var_dir / "load" / "context.json"
    # Each step signs in with fresh accounts (a TOTP code is accepted once per device); +2 spare per step.
    members = sum(math.ceil(n * USER_WEIGHTS["member"] / 10) + 2 for n in [2, *steps])
    secretariat = sum(math.ceil(n * USER_WEIGHTS["secretariat"] / 10) + 2 for n in [2, *steps])
    accounts = ["--members", min(members, 100), "--secretariat", secretariat, "--output", context]
    run([BIN / "python", HERE / "accounts.py", *accounts], env)
    server = start_server(args, env, var_dir)
    try:
        warm = locust_step(
            args, env, context, users=2, duration=10, offsets=(0, 0), var_dir=var_dir, label="warm"
        )
        offsets = (warm["members_used"], warm["secretariat_used"])
        results = []
        for users in steps:
            result = locust_step(
                args, env, context, users=users, duration=args.duration, offsets=offsets, var_dir=var_dir
            )
            offsets = (offsets[0] + result["members_used"], offsets[1] + result["secretariat_used"])
            results.append(result)
            print(step_line(result), flush=True)
    finally:
        stop_server(server)
    report = {"database": args.database, "machine": machine(), "nice": args.nice, "steps": results}
    print(markdown(report))
    if args.output:
        args.output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


def server_env(args: argparse.Namespace, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIANMENG_", "DATABASE_", "REDIS_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=os.environ.get("LOAD_SECRET_KEY") or secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LIANMENG_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="bench.load.settings",
        PYTHONPATH=str(ROOT),
        TRUSTED_PROXIES="127.0.0.1",
        CONN_MAX_AGE="60",
        LOG_FORMAT="json",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        env["CACHE_KEY_PREFIX"] = "lianmeng-load"  # apart from other sites sharing the Redis
    return env


def run(argv: list[Any], env: dict[str, str]) -> None:
    subprocess.run([str(a) for a in argv], env=env, cwd=ROOT, check=True)


def prepare_demo(env: dict[str, str]) -> None:
    """The demo alliance (without its published-password accounts) plus generated demo-scale data."""
    run([BIN / "lianmeng", "demo", "--no-accounts"], env)
    run([BIN / "lianmeng", "generate", "--scale", "demo", "--no-progress"], env)


def start_server(args: argparse.Namespace, env: dict[str, str], var_dir: Path) -> subprocess.Popen[bytes]:
    log = (var_dir / "load" / "server.log").open("ab")
    server = subprocess.Popen(
        [str(BIN / "lianmeng"), "serve", "--port", str(args.port), "--workers", str(args.workers)]
        # research/demo.py makes its reviewers with the demo password even under --no-accounts.
        + (["--allow-demo-accounts"] if args.database == "sqlite" else []),
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_niceness(args.nice),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode}); see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not become ready within 120 s")


def _niceness(nice: int) -> Any:
    return (lambda: os.nice(nice)) if nice else None


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


class Sampler(threading.Thread):
    """CPU time and peak RSS of the processes in each group, sampled every second."""

    def __init__(self, groups: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.groups = groups  # name -> callable returning the processes now
        self.stop = threading.Event()
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.rss: dict[tuple[str, int], int] = {}
        self.loads: list[float] = []
        self.started = time.monotonic()
        self.ended = self.started

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(1.0)
        self.sample()
        self.ended = time.monotonic()

    def sample(self) -> None:
        self.loads.append(os.getloadavg()[0])
        for group, find in self.groups.items():
            for proc in find():
                try:
                    with proc.oneshot():
                        cpu = sum(proc.cpu_times()[:2])
                        rss = proc.memory_info().rss
                        label = proc_label(group, proc)
                except psutil.Error:
                    continue
                key = (label, proc.pid)
                self.first.setdefault(key, cpu)
                self.last[key] = cpu
                self.rss[key] = max(rss, self.rss.get(key, 0))

    def summary(self) -> dict[str, Any]:
        wall = max(self.ended - self.started, 1e-6)
        per: dict[str, dict[str, float]] = {}
        for key, cpu in self.last.items():
            label = key[0]
            row = per.setdefault(label, {"cpu_percent": 0.0, "rss_mb": 0.0, "processes": 0})
            row["cpu_percent"] += 100 * (cpu - self.first[key]) / wall
            row["rss_mb"] += self.rss[key] / 2**20
            row["processes"] += 1
        loads = self.loads or [0.0]
        return {"processes": per, "load_mean": sum(loads) / len(loads), "load_max": max(loads)}


def proc_label(group: str, proc: psutil.Process) -> str:
    if group != "server":
        return group
    return "gunicorn master" if proc.children() else "gunicorn worker"


def server_processes(master_pid: int) -> Any:
    def find() -> list[psutil.Process]:
        try:
            master = psutil.Process(master_pid)
            return [master, *master.children(recursive=True)]
        except psutil.Error:
            return []

    return find


def named(name: str, needle: str = "") -> Any:
    def find() -> list[psutil.Process]:
        found = []
        for proc in psutil.process_iter(["name", "cmdline"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if (proc.info["name"] or "").startswith(name) and needle in cmd:
                found.append(proc)
        return found

    return find


def locust_step(
    args: argparse.Namespace,
    env: dict[str, str],
    context: Path,
    *,
    users: int,
    duration: int,
    offsets: tuple[int, int],
    var_dir: Path,
    label: str = "",
) -> dict[str, Any]:
    prefix = var_dir / "load" / f"step-{label or users}"
    for old in prefix.parent.glob(prefix.name + "_*.csv"):
        old.unlink()
    locust_env = {
        **env,
        "LOAD_CONTEXT": str(context),
        "LOAD_MEMBER_OFFSET": str(offsets[0]),
        "LOAD_SECRETARIAT_OFFSET": str(offsets[1]),
        "LOAD_WRITES": "0" if args.no_writes else "1",
    }
    spawn_rate = max(1.0, users / 5)
    argv = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{args.port}",
        "-u",
        str(users),
        "-r",
        f"{spawn_rate:g}",
        "-t",
        f"{duration + math.ceil(users / spawn_rate) + 2}s",
        "--reset-stats",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    master = server_master_pid(args.port)
    db_name = (args.database_url or "").rsplit("/", 1)[-1]
    groups: dict[str, Any] = {"server": server_processes(master)}
    if args.database == "postgres":
        groups["postgres backends"] = named("postgres", f" {db_name} ")
    if args.redis_url:
        groups["redis"] = named("redis-server")
    locust = subprocess.Popen(
        argv, env=locust_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    groups["locust"] = lambda: [psutil.Process(locust.pid)] if locust.poll() is None else []
    time.sleep(math.ceil(users / spawn_rate) + 1)  # sample once every user has started
    sampler = Sampler(groups)
    sampler.start()
    output, _ = locust.communicate()
    sampler.stop.set()
    sampler.join()
    stats = read_stats(prefix)
    exceptions = read_exceptions(prefix)
    if exceptions:
        print(output.decode(errors="replace")[-3000:], file=sys.stderr)
    members = math.ceil(users * USER_WEIGHTS["member"] / 10) + 2
    secretariat = math.ceil(users * USER_WEIGHTS["secretariat"] / 10) + 2
    return {
        "users": users,
        "duration": duration,
        "journeys": stats,
        "exceptions": exceptions,
        "members_used": members,
        "secretariat_used": secretariat,
        **sampler.summary(),
    }


def server_master_pid(port: int) -> int:
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "gunicorn" in " ".join(cmd) and any(f":{port}" in c for c in cmd):
            parent = proc.parent()
            if parent is not None and "gunicorn" in " ".join(parent.cmdline()):
                continue
            return proc.pid
    raise SystemExit(f"no gunicorn on port {port}")


def read_stats(prefix: Path) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    with (prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["Name"]
            if name == "sign in" or not int(row["Request Count"]):
                continue
            rows[name] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
                "mean": float(row["Average Response Time"]),
            }
    failures = prefix.parent / f"{prefix.name}_failures.csv"
    if failures.exists():
        with failures.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                rows.setdefault(row["Name"], {}).setdefault("errors", []).append(
                    f"{row['Occurrences']}x {row['Error']}"[:300]
                )
    return rows


def read_exceptions(prefix: Path) -> list[str]:
    path = prefix.parent / f"{prefix.name}_exceptions.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [f"{row['Count']}x {row['Message']}"[:300] for row in csv.DictReader(fh)]


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": sys.version.split()[0],
        "locust": subprocess.run(
            [str(BIN / "locust"), "--version"], capture_output=True, text=True, check=False
        )
        .stdout.split(" from ")[0]
        .strip(),
    }


def step_line(result: dict[str, Any]) -> str:
    total = result["journeys"].get("Aggregated", {})
    return (
        f"{result['users']} users: {total.get('rps', 0):.1f} req/s, p50 {total.get('p50', 0):.0f} ms,"
        f" p95 {total.get('p95', 0):.0f} ms, p99 {total.get('p99', 0):.0f} ms,"
        f" {int(total.get('failures', 0))} errors, load {result['load_mean']:.1f}"
    )


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}×" if floor and not math.isnan(floor) else "–"


def journey_table(step: dict[str, Any]) -> list[str]:
    lines = [
        "| journey | requests | p50 ms | p95 ms | p99 ms | req/s | errors | p50 / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    floor = step["journeys"].get(FLOOR, {}).get("p50") or math.nan
    for name in dict.fromkeys(j.name for j in JOURNEYS):
        row = step["journeys"].get(name)
        if not row:
            continue
        lines.append(
            f"| {name} | {row['requests']} | {row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f}"
            f" | {row['rps']:.1f} | {int(row['failures'])} | {_ratio(row['p50'], floor)} |"
        )
    return lines


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}; {m['locust']};"
        f" server and locust at niceness {report.get('nice', 0)}.",
        "",
        "| users | req/s | p50 ms | p95 ms | p99 ms | errors | load avg (mean / max) | CPU % and peak RSS MB per group |",
        "|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    best = None
    for step in report["steps"]:
        total = step["journeys"].get("Aggregated", {})
        procs = "; ".join(
            f"{name} ×{int(p['processes'])}: {p['cpu_percent']:.0f} %, {p['rss_mb']:.0f} MB"
            for name, p in sorted(step["processes"].items())
        )
        lines.append(
            f"| {step['users']} | {total.get('rps', 0):.1f} | {total.get('p50', 0):.0f} | {total.get('p95', 0):.0f}"
            f" | {total.get('p99', 0):.0f} | {int(total.get('failures', 0))} |"
            f" {step['load_mean']:.1f} / {step['load_max']:.1f} | {procs} |"
        )
        if total.get("p95", math.inf) < P95_TARGET_MS:
            best = step
    if best is None:
        lines += ["", f"No step kept p95 under {P95_TARGET_MS} ms."]
        best = report["steps"][0]
    else:
        total = best["journeys"]["Aggregated"]
        lines += ["", f"p95 under {P95_TARGET_MS} ms up to {total['rps']:.1f} req/s ({best['users']} users)."]
    last = report["steps"][-1]
    for chosen in [best] if best is last else [best, last]:
        lines += ["", f"Per journey at {chosen['users']} users:", "", *journey_table(chosen)]
    errors = [
        (step["users"], name, e)
        for step in report["steps"]
        for name, row in step["journeys"].items()
        for e in row.get("errors", [])
    ] + [(step["users"], "exception", e) for step in report["steps"] for e in step["exceptions"]]
    lines += ["", "Errors: none." if not errors else "Errors:"]
    lines += [f"- {users} users, {name}: {e}" for users, name, e in errors]
    return "\n".join(lines)


if __name__ == "__main__":
    if shutil.which(str(BIN / "locust")) is None:
        raise SystemExit("locust is not installed: .venv/bin/pip install -e '.[load]'")
    main()
