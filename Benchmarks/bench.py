#!/usr/bin/env python3
"""Times Sluice against what users would otherwise pick, on the same files, in one run.

Every command runs RUNS times, interleaved, and the table reports wall time (min and median),
throughput, CPU seconds (user + system), peak RSS (from /usr/bin/time) and ratios of medians
against the baselines.
"""
import argparse
import datetime
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

import pg_server

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SLUICE = os.path.join(ROOT, ".build", "release", "sluice")
PIPELINE = os.path.join(ROOT, "Pipelines", "supplier-nightly.yaml")
MIXED_PIPELINE = os.path.join(ROOT, "Pipelines", "supplier-mixed.yaml")


def sh(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)


def timed(command, cleanup=None):
    """Wall seconds, peak RSS (MB) and CPU seconds of one run; the command's stdout is returned too."""
    if cleanup:
        cleanup()
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode not in (0, 3):
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    peak_kb, user, system = result.stderr.strip().splitlines()[-1].split()
    return wall, int(peak_kb) / 1024, result.stdout, float(user) + float(system)


def generate(work, name, files, size, gzip_ratio, style="uniform"):
    out = os.path.join(work, name)
    if not os.path.exists(os.path.join(out, "manifest.json")):
        sh([SLUICE, "sample", "--out", out, "--suppliers", "20", "--files-per-supplier", str(files),
            "--file-size", size, "--gzip-ratio", str(gzip_ratio), "--style", style], stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "manifest.json")) as handle:
        return out, json.load(handle)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files-per-supplier", type=int, default=500)
    parser.add_argument("--file-size", default="20KB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-baselines", action="store_true", help="time Sluice only (the full workload)")
    parser.add_argument("--no-gzip", action="store_true", help="skip the all-gzip variant")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL rows")
    parser.add_argument("--scale", type=int, default=10,
                        help="also run Sluice once over this many times the files, for its peak memory (1 skips it)")
    args = parser.parse_args()

    work = os.path.join(HERE, "work")
    os.makedirs(work, exist_ok=True)
    plain, manifest = generate(work, f"plain-{args.file_size}-{args.files_per_supplier}", args.files_per_supplier, args.file_size, 0)
    # The same rows, each supplier writing them its own way, read through per-supplier profiles.
    mixed = generate(work, f"mixed-{args.file_size}-{args.files_per_supplier}", args.files_per_supplier, args.file_size, 0, "mixed")[0]
    gz = None if args.no_gzip else generate(work, f"gzip-{args.file_size}-{args.files_per_supplier}", args.files_per_supplier, args.file_size, 1)[0]
    rows, megabytes = manifest["rows"], manifest["bytes"] / 1e6
    db = lambda name: os.path.join(work, name)

    def remove(*paths):
        def clean():
            for path in paths:
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(path + suffix):
                        os.remove(path + suffix)
        return clean

    def sluice(root, database, *extra, pipeline=PIPELINE):
        return [SLUICE, "run", pipeline, "--progress", "0", "--set", f"source.root={root}/suppliers",
                "--set", f"load.database={database}", *extra]

    commands = {"sluice": (sluice(plain, db("sluice.sqlite")), remove(db("sluice.sqlite")))}
    # The same run observed: Prometheus metrics kept, served over HTTP and written at the end.
    commands["sluice, metrics on"] = (sluice(plain, db("sluice-metrics.sqlite"), "--metrics-address", "127.0.0.1:0",
                                             "--metrics-file", db("metrics.prom")), remove(db("sluice-metrics.sqlite")))
    commands["sluice, mixed suppliers"] = (sluice(mixed, db("sluice-mixed.sqlite"), pipeline=MIXED_PIPELINE),
                                           remove(db("sluice-mixed.sqlite")))
    if gz:
        commands["sluice, all gzip"] = (sluice(gz, db("sluice-gz.sqlite")), remove(db("sluice-gz.sqlite")))
    commands["sluice --dry-run (parse + validate only)"] = (sluice(plain, db("unused.sqlite"), "--dry-run"), None)
    if not args.skip_baselines:
        venv = os.path.join(HERE, ".venv")
        if not os.path.exists(os.path.join(venv, "bin", "python")):
            sh([sys.executable, "-m", "venv", venv])
            sh([os.path.join(venv, "bin", "pip"), "install", "-q", "duckdb"])
        import_script = db("import.sql")
        with open(import_script, "w") as script:
            script.write("PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\nCREATE TABLE staging (" +
                         ", ".join(f"c{i} TEXT" for i in range(11)) + ");\nBEGIN;\n")
            for supplier in sorted(os.listdir(os.path.join(plain, "suppliers"))):
                folder = os.path.join(plain, "suppliers", supplier)
                for name in sorted(os.listdir(folder)):
                    script.write(f".import --csv --skip 1 {os.path.join(folder, name)} staging\n")
            script.write("COMMIT;\n")
        floor = db("insert_floor")
        sh(["cc", "-O2", "-o", floor, os.path.join(HERE, "baselines", "insert_floor.c"), "-lsqlite3"])
        commands.update({
            "sqlite3 .import (no validation)": (["sh", "-c", f"sqlite3 {db('import.sqlite')} < {import_script}"], remove(db("import.sqlite"))),
            "DuckDB read_csv + TRY_CAST": ([os.path.join(venv, "bin", "python"), os.path.join(HERE, "baselines", "duckdb_load.py"),
                                           os.path.join(plain, "suppliers"), db("duck.db")], remove(db("duck.db"))),
            "Python csv + sqlite3": ([sys.executable, os.path.join(HERE, "baselines", "python_load.py"),
                                      os.path.join(plain, "suppliers"), db("python.sqlite")], remove(db("python.sqlite"))),
        })

    server = None
    if not args.no_postgres:
        server = pg_server.Server(os.path.join(work, "postgres"))
        pg = ["--set", "load.kind=postgres", "--set", f"load.host={server.folder}", "--set", "load.database=postgres",
              "--set", "load.user=postgres"]
        commands["sluice into PostgreSQL"] = (sluice(plain, "postgres", *pg), server.empty())
        # Several workers sharing the store, started together on this machine.
        one = " ".join(shlex.quote(part) for part in sluice(plain, "postgres", *pg))
        for count in (2, 3):
            commands[f"sluice into PostgreSQL, {count} workers"] = (["sh", "-c", (
                f'pids=""; for i in $(seq {count}); do {one} --worker-id w$i > /dev/null & pids="$pids $!"; done; '
                's=0; for p in $pids; do wait $p || s=$?; done; exit $s')], server.empty())
        # The raw limit: the same good rows, one file, one COPY into an empty table of the same
        # types, without the store's index, checkpoints or quarantine; in CSV, text and binary formats.
        timed(commands["sluice into PostgreSQL"][0], server.empty())
        raw_table = lambda: server.psql("DROP TABLE IF EXISTS raw; CREATE TABLE raw (LIKE staging_orders); CHECKPOINT")
        for form, options in (("CSV", "CSV"), ("text", "TEXT"), ("binary", "BINARY")):
            path = db(f"good-rows.{form.lower()}")
            sh(server.psql_command(f"\\copy staging_orders TO '{path}' WITH (FORMAT {options})"))
            commands[f"psql \\copy of the good rows, {form}"] = (
                server.psql_command(f"\\copy raw FROM '{path}' WITH (FORMAT {options})"), raw_table)

    walls = {name: [] for name in commands}
    peaks = {name: [] for name in commands}
    cpus = {name: [] for name in commands}
    floors = []
    for run in range(args.runs):
        for name, (command, cleanup) in commands.items():
            wall, peak, _, cpu = timed(command, cleanup)
            walls[name].append(wall)
            peaks[name].append(peak)
            cpus[name].append(cpu)
            print(f"run {run + 1}: {name}: {wall:.2f} s, CPU {cpu:.2f} s, {peak:.0f} MB", file=sys.stderr)
            if name == "sluice" and not args.skip_baselines:
                # Right after the Sluice run it is compared with, on the rows that run loaded.
                out = subprocess.run([db("insert_floor"), db("sluice.sqlite"), "staging_orders", db("floor.sqlite")],
                                     capture_output=True, text=True, check=True).stdout.split()
                floors.append(float(out[0]))
                print(f"run {run + 1}: insert floor: {floors[-1]:.2f} s", file=sys.stderr)

    if server:
        server.stop()

    scaled = None
    if args.scale > 1:
        # Memory must not grow with the number of files: the same files, many more of them.
        many, many_manifest = generate(work, f"plain-{args.file_size}-{args.files_per_supplier * args.scale}",
                                       args.files_per_supplier * args.scale, args.file_size, 0)
        wall, peak, _, _ = timed(sluice(many, db("sluice-scaled.sqlite")), remove(db("sluice-scaled.sqlite")))
        remove(db("sluice-scaled.sqlite"))()
        scaled = (many_manifest["files"], wall, peak)
        print(f"{args.scale}x the files: sluice: {wall:.2f} s, {peak:.0f} MB", file=sys.stderr)

    median = {name: statistics.median(values) for name, values in walls.items()}
    lines = [f"# Benchmark {datetime.date.today().isoformat()}", "",
             f"{manifest['files']} files from 20 suppliers, {args.file_size} each, {megabytes:.0f} MB, {rows:,} rows "
             f"({manifest['invalidRows']:,} invalid); {args.runs} interleaved runs; {os.cpu_count()} cores.", "",
             "| what | wall min | wall median | CPU median | MB/s | rows/s | peak RSS |", "|---|---|---|---|---|---|---|"]
    cpu = {name: statistics.median(values) for name, values in cpus.items()}
    for name in commands:
        m = median[name]
        lines.append(f"| {name} | {min(walls[name]):.2f} s | {m:.2f} s | {cpu[name]:.2f} s | {megabytes / m:.0f} | {rows / m:,.0f} | "
                     f"{max(peaks[name]):.0f} MB |")
    if floors:
        lines.append(f"| insert floor (C, prepared insert of the loaded rows, insert phase only) | {min(floors):.2f} s | "
                     f"{statistics.median(floors):.2f} s | | | {rows / statistics.median(floors):,.0f} | |")
    lines += ["", "| ratio (medians) | value | target |", "|---|---|---|"]

    def ratio(label, a, b, target):
        value = median[a] / b
        lines.append(f"| {label} | {value:.2f}x | {target} |")

    if not args.skip_baselines:
        ratio("Sluice / sqlite3 .import", "sluice", median["sqlite3 .import (no validation)"], "<= 0.8x")
        ratio("Sluice / DuckDB", "sluice", median["DuckDB read_csv + TRY_CAST"], "<= 0.35x")
        ratio("Sluice / Python", "sluice", median["Python csv + sqlite3"], "")
        ratio("Sluice / insert floor", "sluice", statistics.median(floors), "<= 1.15x")
        lines.append(f"| Sluice / sqlite3 .import, min against min | {min(walls['sluice']) / min(walls['sqlite3 .import (no validation)']):.2f}x | |")
        lines.append(f"| Sluice / insert floor, min against min | {min(walls['sluice']) / min(floors):.2f}x | |")
    ratio("Sluice with metrics on / Sluice", "sluice, metrics on", median["sluice"], "<= 1.03x")
    ratio("Sluice, mixed suppliers / uniform", "sluice, mixed suppliers", median["sluice"], "<= 1.15x")
    lines.append(f"| Sluice, mixed suppliers / uniform, CPU | {cpu['sluice, mixed suppliers'] / cpu['sluice']:.2f}x | |")
    if gz:
        ratio("Sluice all gzip / Sluice plain", "sluice, all gzip", median["sluice"], "<= 1.15x")
        lines.append(f"| Sluice all gzip / Sluice plain, min against min | {min(walls['sluice, all gzip']) / min(walls['sluice']):.2f}x | |")
    if server:
        raw = "psql \\copy of the good rows, CSV"
        lines.append(f"| Sluice into PostgreSQL: share of raw COPY throughput (one CSV) | "
                     f"{median[raw] / median['sluice into PostgreSQL']:.0%} | >= 70% |")
        ratio("psql \\copy binary / text (the server's parse cost by format)", "psql \\copy of the good rows, binary",
              median["psql \\copy of the good rows, text"], "")
        ratio("Sluice into PostgreSQL / Sluice into SQLite", "sluice into PostgreSQL", median["sluice"], "")
        for count in (2, 3):
            name = f"sluice into PostgreSQL, {count} workers"
            lines.append(f"| {name}: share of raw COPY throughput | {median[raw] / median[name]:.0%} | |")
    lines.append(f"| peak RSS of Sluice | {max(peaks['sluice']):.0f} MB | {'<= 100 MB' if args.file_size == '20KB' else 'flat'} |")
    if scaled:
        files, wall, peak = scaled
        lines.append(f"| peak RSS of Sluice at {args.scale}x the files ({files:,} files, one run of {wall:.0f} s) | {peak:.0f} MB | "
                     f"{'<= 100 MB' if args.file_size == '20KB' else 'flat'} |")
    report = "\n".join(lines) + "\n"
    print(report)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    suffix = "" if args.file_size == "20KB" and args.files_per_supplier == 500 else f"-{args.file_size}-{args.files_per_supplier}"
    with open(os.path.join(HERE, "results", f"{datetime.date.today().isoformat()}{suffix}.md"), "w") as handle:
        handle.write(report)


if __name__ == "__main__":
    main()
