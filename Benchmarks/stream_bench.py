#!/usr/bin/env python3
"""Measures `sluice stream`: arrival-to-commit latency, backlog throughput against `sluice run`,
and the CPU an idle poll cycle costs with many files known. Figures are from one run.

  latency     one 20 KB file renamed in every 100 ms for --seconds, inotify on and off:
              p50/p95/p99/max from the rename to the file's commit, and the stream's CPU meanwhile
  throughput  the 10,000-file sample moved into a running stream, against `sluice run` on the same files
  idle        an idle stream with --known files present and loaded: CPU per poll cycle, and per full relisting
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SLUICE = os.path.join(ROOT, ".build", "release", "sluice")
PIPELINE = os.path.join(ROOT, "Pipelines", "supplier-stream.yaml")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User plus system CPU seconds a process has used so far."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def sample(work, name, suppliers, files, size):
    out = os.path.join(work, name)
    if not os.path.exists(os.path.join(out, "manifest.json")):
        subprocess.run([SLUICE, "sample", "--out", out, "--suppliers", str(suppliers), "--files-per-supplier", str(files),
                        "--file-size", size], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(out, "suppliers")


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def overrides(root, database, archive, extra):
    settings = [f"source.root={root}", f"load.database={database}", f"settle.archive_to={archive}"] + extra
    return [arg for setting in settings for arg in ("--set", setting)]


def run_batch(root, database, archive, extra=()):
    """`sluice run` over the files; exit 3 (some files quarantined, as the sample means) is fine."""
    command = [SLUICE, "run", PIPELINE, "--progress", "0", *overrides(root, database, archive, list(extra))]
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode not in (0, 3):
        sys.exit(f"sluice run exited {result.returncode}: {result.stderr[-2000:]}")


def start_stream(root, database, archive, extra=()):
    command = [SLUICE, "stream", PIPELINE, "--progress", "0", "--metrics-address", "127.0.0.1:0", *overrides(root, database, archive, list(extra))]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop_stream(process):
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    if process.returncode != 0:
        sys.exit(f"the stream exited {process.returncode}: {stderr[-2000:]}")


FINISHED = "state IN ('done', 'quarantined', 'empty')"


def done_files(database):
    """(files finished, latest finish time) in the store, read while the stream writes it.
    The sample holds some bad files on purpose: a quarantined file has finished too."""
    if not os.path.exists(database):
        return 0, None
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
        return connection.execute(f"SELECT COUNT(*), MAX(finished_at) FROM sluice_files WHERE {FINISHED}").fetchone()


def wait_for(database, count, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        done, last = done_files(database)
        if done >= count:
            return last
        time.sleep(0.05)
    sys.exit(f"only {done_files(database)[0]} of {count} files loaded within {timeout:.0f}s")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def latency(args, work):
    source = sample(work, "latency", 5, 200, "20KB")
    files = sorted(os.path.join(dirpath, name) for dirpath, _, names in os.walk(source) for name in names)
    results = []
    for inotify, min_age in (("true", "2s"), ("false", "2s"), ("true", "0s"), ("false", "0s")):
        run = fresh(os.path.join(work, f"latency-{inotify}-{min_age}"))
        root, database, archive = os.path.join(run, "suppliers"), os.path.join(run, "stream.sqlite"), os.path.join(run, "archive")
        suppliers = sorted(os.listdir(source))
        for supplier in suppliers:
            os.makedirs(os.path.join(root, supplier))
        stream = start_stream(root, database, archive, [f"source.inotify={inotify}", f"source.min_age={min_age}"])
        time.sleep(2)
        cpu_before, wall_before = cpu_seconds(stream.pid), time.time()
        arrivals = {}
        count = int(args.seconds * 10)
        for index in range(count):
            supplier = suppliers[index % len(suppliers)]
            original = files[index % len(files)]
            name = f"arrival-{index:05d}" + (".csv.gz" if original.endswith(".gz") else ".csv")
            temporary = os.path.join(root, supplier, name + ".tmp")
            shutil.copyfile(original, temporary)
            os.rename(temporary, os.path.join(root, supplier, name))
            arrivals[(supplier, name)] = time.time()
            time.sleep(max(0, wall_before + (index + 1) * 0.1 - time.time()))
        wait_for(database, count, 60)
        cpu = cpu_seconds(stream.pid) - cpu_before
        wall = time.time() - wall_before
        stop_stream(stream)
        with sqlite3.connect(database) as connection:
            # committed_at: when the transaction holding the file's last rows began its commit.
            finished = connection.execute(f"SELECT supplier, path, committed_at FROM sluice_files WHERE {FINISHED}").fetchall()
        delays = [at - arrivals[(supplier, path)] for supplier, path, at in finished]
        results.append({"inotify": inotify == "true", "min_age": min_age, "files": len(delays), "p50": percentile(delays, 0.5),
                        "p95": percentile(delays, 0.95), "p99": percentile(delays, 0.99), "max": max(delays),
                        "cpu_share": cpu / wall})
    print("\n## Arrival to commit: one 20 KB file renamed in every 100 ms"
          f" ({args.seconds:.0f} s, poll_interval 1 s, max_delay 500 ms)\n")
    print("| min_age | inotify | files | p50 | p95 | p99 | max | stream CPU (share of one core) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['min_age']} | {'on' if r['inotify'] else 'off'} | {r['files']} | {r['p50']:.2f} s | {r['p95']:.2f} s | "
              f"{r['p99']:.2f} s | {r['max']:.2f} s | {r['cpu_share'] * 100:.1f}% |")


def throughput(args, work):
    source = sample(work, "throughput", 20, 500, "20KB")
    count = sum(len(names) for _, _, names in os.walk(source))
    rows = []
    settle = [f"settle.after_load={args.settle}"]
    for attempt in range(args.runs):
        # sluice run over the files where they lie.
        run = fresh(os.path.join(work, "throughput-run"))
        database = os.path.join(run, "run.sqlite")
        staged = os.path.join(run, "suppliers")
        shutil.copytree(source, staged, copy_function=os.link)
        start = time.perf_counter()
        run_batch(staged, database, os.path.join(run, "archive"), settle)
        batch = time.perf_counter() - start
        # The same files moved into a running stream's empty supplier directories.
        run = fresh(os.path.join(work, "throughput-stream"))
        staged, root = os.path.join(run, "staged"), os.path.join(run, "suppliers")
        database = os.path.join(run, "stream.sqlite")
        shutil.copytree(source, staged, copy_function=os.link)
        for supplier in os.listdir(staged):
            os.makedirs(os.path.join(root, supplier))
        stream = start_stream(root, database, os.path.join(run, "archive"), settle)
        time.sleep(2)
        start = time.time()
        for supplier in os.listdir(staged):
            for name in os.listdir(os.path.join(staged, supplier)):
                os.rename(os.path.join(staged, supplier, name), os.path.join(root, supplier, name))
        moved = time.time() - start
        last = wait_for(database, count, 600)
        streamed = last - start
        stop_stream(stream)
        rows.append((batch, streamed, moved))
    batch = statistics.median(r[0] for r in rows)
    streamed = statistics.median(r[1] for r in rows)
    print(f"\n## Backlog: {count} files of 20 KB moved into a running stream, against `sluice run` on the same files"
          f" (settle.after_load: {args.settle})\n")
    print("| | median wall | runs |")
    print("|---|---:|---:|")
    print(f"| sluice run | {batch:.2f} s | {len(rows)} |")
    print(f"| sluice stream (first rename to last commit) | {streamed:.2f} s | {len(rows)} |")
    print(f"\nstream / run: **{streamed / batch:.3f}x** (target at most 1.15x); the renames took "
          f"{statistics.median(r[2] for r in rows):.2f} s of it")


def idle(args, work):
    per_supplier = args.known // 20
    source = sample(work, f"idle-{args.known}", 20, per_supplier, "1KB")
    run = fresh(os.path.join(work, "idle"))
    database = os.path.join(run, "idle.sqlite")
    # Keep the files where they are: an idle stream must stay cheap with all of them present.
    keep = ["settle.after_load=keep"]
    run_batch(source, database, os.path.join(run, "a"), keep)
    results = []
    for label, extra in (("idle poll (folders unchanged)", []), ("full relisting every poll", ["source.rescan_interval=0s"])):
        stream = start_stream(source, database, os.path.join(run, "a"), keep + extra)
        start = time.time()
        # Start-up lists and fingerprints every file once; wait until the stream's CPU settles
        # (relisting every poll never does: it is measured after 30 s).
        previous = cpu_seconds(stream.pid)
        while True:
            time.sleep(2)
            now = cpu_seconds(stream.pid)
            if now - previous < 0.5 * 2 or time.time() - start > 30:
                break
            previous = now
        startup = cpu_seconds(stream.pid)
        cpu_before, wall_before = cpu_seconds(stream.pid), time.time()
        time.sleep(args.idle_seconds)
        cpu = cpu_seconds(stream.pid) - cpu_before
        cycles = (time.time() - wall_before) / 1.0  # poll_interval 1 s: one cycle over every supplier per second
        stop_stream(stream)
        results.append((label, cpu / cycles * 1000, startup))
    print(f"\n## Idle stream with {args.known} files known (20 suppliers, files kept in place)\n")
    print("| | CPU per poll cycle (all 20 suppliers) | CPU until then, start-up included |")
    print("|---|---:|---:|")
    for label, per_cycle, startup in results:
        print(f"| {label} | {per_cycle:.1f} ms | {startup:.1f} s |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parts", nargs="*", default=["latency", "throughput", "idle"])
    parser.add_argument("--seconds", type=float, default=60, help="how long files arrive in the latency run")
    parser.add_argument("--runs", type=int, default=3, help="throughput runs (medians reported)")
    parser.add_argument("--settle", default="keep", help="settle.after_load for the throughput runs")
    parser.add_argument("--known", type=int, default=100_000, help="files known to the idle stream")
    parser.add_argument("--idle-seconds", type=float, default=30)
    args = parser.parse_args()
    work = os.path.join(HERE, "work")
    os.makedirs(work, exist_ok=True)
    print(f"# sluice stream, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")
    for part in args.parts:
        {"latency": latency, "throughput": throughput, "idle": idle}[part](args, work)


if __name__ == "__main__":
    main()
