#!/usr/bin/env python3
"""The 10,000-file scenario over HTTP: 20 supplier endpoints served by sluice-supplier-sim,
each throttled at RATE requests a second, loaded four ways (sequential, naive, capped, and
the recommended settings of Pipelines/supplier-endpoints.yaml).

The limit is physical: N suppliers at RATE requests a second take at least
(files + listing pages) / RATE seconds. Each configuration gets a fresh simulator (its request
log is the count of requests and 429s) and a fresh SQLite store.
"""
import argparse
import datetime
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SLUICE = os.path.join(ROOT, ".build", "release", "sluice")
SIM = os.path.join(ROOT, ".build", "release", "sluice-supplier-sim")
PIPELINE = os.path.join(ROOT, "Pipelines", "supplier-endpoints.yaml")

# Each configuration as overrides of the recommended pipeline.
CONFIGS = {
    "sequential": ["limits.max_concurrency=1", "limits.per_supplier_concurrency=1"],
    "naive": ["limits.max_concurrency=10000", "limits.per_supplier_concurrency=10000", "limits.rate=1000000/s",
              "retry.max_attempts=3"],
    "capped": ["limits.max_concurrency=60", "limits.per_supplier_concurrency=3", "limits.group_size=4",
               "limits.stagger=200ms", "retry.max_attempts=3"],
    "recommended": [],
}


def generate(work, files, size):
    out = os.path.join(work, f"plain-{size}-{files}")
    if not os.path.exists(os.path.join(out, "manifest.json")):
        subprocess.run([SLUICE, "sample", "--out", out, "--suppliers", "20", "--files-per-supplier", str(files),
                        "--file-size", size], check=True, stdout=subprocess.DEVNULL)
    return out


def start_simulator(root, log, args):
    port_file = log + ".port"
    if os.path.exists(port_file):
        os.remove(port_file)
    command = [SIM, "--root", root, "--port", "0", "--port-file", port_file, "--log", log,
               "--rate", str(args.rate), "--latency-ms", str(args.latency_ms), "--bandwidth", str(args.bandwidth),
               "--error-share", str(args.error_share), "--cut-share", str(args.cut_share),
               "--contention", str(args.contention), "--seed", "7"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(port_file):
            return process, int(open(port_file).read())
        time.sleep(0.05)
    process.kill()
    sys.exit("the simulator did not start")


def pipeline_for(port, work):
    text = open(PIPELINE).read().replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    path = os.path.join(work, "scenario.yaml")
    with open(path, "w") as handle:
        handle.write(text)
    return path


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(math.ceil(share * len(ordered))) - 1)]


def measure(name, overrides, data, args, work):
    log = os.path.join(work, f"{name}-requests.jsonl")
    database = os.path.join(work, f"{name}.sqlite")
    for path in (log, database, database + "-wal", database + "-shm"):
        if os.path.exists(path):
            os.remove(path)
    simulator, port = start_simulator(os.path.join(data, "suppliers"), log, args)
    try:
        pipeline = pipeline_for(port, work)
        settings = ["--set", f"load.database={database}"]
        for override in overrides:
            settings += ["--set", override]
        started = time.perf_counter()
        run = subprocess.run(["/usr/bin/time", "-f", "%M", SLUICE, "run", pipeline, "--progress", "0"] + settings,
                             capture_output=True, text=True)
        wall = time.perf_counter() - started
    finally:
        simulator.send_signal(signal.SIGINT)
        simulator.wait(timeout=30)
    if run.returncode not in (0, 3):
        sys.exit(f"{name}: sluice run failed ({run.returncode})\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    peak_mb = int(run.stderr.strip().splitlines()[-1]) / 1024
    report = json.loads(subprocess.run([SLUICE, "report", pipeline, "--json"] + settings,
                                       capture_output=True, text=True, check=True).stdout)
    files = report["files"]
    requests = [json.loads(line) for line in open(log) if line.strip()]
    latencies = [f["finished_at"] - f["started_at"] for f in files if f.get("finished_at") and f.get("started_at")]
    return {
        "name": name,
        "wall": wall,
        "loaded": sum(1 for f in files if f["state"] == "done"),
        "failed": sum(1 for f in files if f["state"] not in ("done", "empty")),
        "requests": len(requests),
        "throttled": sum(1 for r in requests if r["status"] == 429),
        "server_errors": sum(1 for r in requests if r["status"] >= 500),
        "cut": sum(1 for r in requests if r.get("cut")),
        "retries": sum(max(0, f["attempts"] - 1) for f in files),
        "peak_mb": peak_mb,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "worst_window": worst_window(requests),
    }


def worst_window(requests):
    """The most requests one supplier got in any one-second window."""
    worst = 0
    by_supplier = {}
    for request in requests:
        by_supplier.setdefault(request["supplier"], []).append(request["t"])
    for times in by_supplier.values():
        times.sort()
        first = 0
        for last, at in enumerate(times):
            while at - times[first] >= 1.0:
                first += 1
            worst = max(worst, last - first + 1)
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files-per-supplier", type=int, default=500)
    parser.add_argument("--file-size", default="20KB")
    parser.add_argument("--rate", type=float, default=3.0, help="requests a second each endpoint answers")
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--bandwidth", type=float, default=10e6, help="bytes a second per body")
    parser.add_argument("--error-share", type=float, default=0.01)
    parser.add_argument("--cut-share", type=float, default=0.01)
    parser.add_argument("--contention", type=int, default=3, help="requests in flight per endpoint before it slows down")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="which of " + ", ".join(CONFIGS))
    args = parser.parse_args()

    work = os.path.join(HERE, "work", "scenario")
    os.makedirs(work, exist_ok=True)
    data = generate(os.path.join(HERE, "work"), args.files_per_supplier, args.file_size)
    files = 20 * args.files_per_supplier
    pages = 20 * math.ceil((args.files_per_supplier + 1) / 1000)
    bound = (files + pages) / (20 * args.rate)
    print(f"{files} files of {args.file_size} from 20 endpoints at {args.rate:g} req/s each "
          f"(latency {args.latency_ms:g} ms, {args.bandwidth / 1e6:g} MB/s a body, {args.error_share:.0%} 5xx, "
          f"{args.cut_share:.0%} cut bodies, slower past {args.contention} at once)")
    print(f"bound: ({files} downloads + {pages} listing pages) / {20 * args.rate:g} req/s = {bound:.1f} s\n")

    results = []
    for name in args.configs.split(","):
        result = measure(name, CONFIGS[name], data, args, work)
        results.append(result)
        print(f"  {name}: {result['wall']:.1f} s, {result['loaded']} loaded, {result['failed']} failed", flush=True)

    header = ("| configuration | wall | x bound | loaded | failed | requests | 429s | 5xx | cut | retries "
              "| most req in 1 s | peak MB | file p50 | file p99 |")
    lines = [header, "|" + "---|" * 14]
    for r in results:
        lines.append(f"| {r['name']} | {r['wall']:.1f} s | {r['wall'] / bound:.2f}x | {r['loaded']} | {r['failed']} "
                     f"| {r['requests']} | {r['throttled']} | {r['server_errors']} | {r['cut']} | {r['retries']} "
                     f"| {r['worst_window']} | {r['peak_mb']:.0f} | {r['p50']:.2f} s | {r['p99']:.2f} s |")
    table = "\n".join(lines)
    print("\n" + table)
    stamp = datetime.date.today().isoformat()
    results_dir = os.path.join(HERE, "results")
    os.makedirs(results_dir, exist_ok=True)
    with open(os.path.join(results_dir, f"{stamp}-scenario-{args.file_size}-{args.files_per_supplier}.md"), "w") as handle:
        handle.write(f"# The endpoint scenario, {stamp}\n\n`make bench-scenario` ({' '.join(sys.argv[1:]) or 'defaults'}); "
                     f"bound {bound:.1f} s.\n\n{table}\n")


if __name__ == "__main__":
    main()
