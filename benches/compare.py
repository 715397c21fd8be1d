#!/usr/bin/env python3
"""Side-by-side throughput of `nanograd bench` and the reference trainers. Never run in CI.

Runs, for each config and each repeat (repeat loop outermost, so slow drifts of a shared machine
spread over every implementation):
  nanograd     target/release/nanograd bench --config C --seconds S --threads T
  torch        torch_mlp.py --mode eager                       (PyTorch eager)
  torch-fused  torch_mlp.py --mode eager --adam-impl fused     (Adam configs only)
  numpy        numpy_mlp.py, hand-derived backward             (OPENBLAS_CORETYPE/L2_SIZE unset)
  micrograd    micrograd_mlp.py, tiny only, a few steps        (scalar tape; very slow)
then prints a markdown table of median steps/s and the ratios nanograd / best PyTorch and
nanograd / numpy. Each run waits for a quiet machine and is retried when other processes took
more than --max-foreign cores during it (the method of the references' run_all.py).

Raw rows (each script's JSON line plus foreign_cores, wall_s, repeat) are appended to --out.
Usage: compare.py --ref-dir ../shared/bench --python ~/refvenv/bin/python [--configs tiny,wide]
       compare.py --summarize FILE
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

CONFIGS = ["tiny", "small", "medium", "wide"]
ADAM_CONFIGS = {"tiny", "small", "wide"}
# Variables that slow a current numpy's OpenBLAS when set for older builds: unset for numpy only.
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def busy_jiffies():
    """Busy CPU time of the whole machine so far, in clock ticks (/proc/stat's first line)."""
    with open("/proc/stat") as f:
        fields = list(map(int, f.readline().split()[1:]))
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]) - idle  # guest columns are already counted in user


def wait_quiet(max_busy_cores, max_wait_s):
    """Waits until the machine used < max_busy_cores for two 1-second windows in a row."""
    start = time.time()
    quiet_windows = 0
    while time.time() - start < max_wait_s:
        before = busy_jiffies()
        time.sleep(1.0)
        busy_cores = (busy_jiffies() - before) / CLOCK_TICKS
        quiet_windows = quiet_windows + 1 if busy_cores < max_busy_cores else 0
        if quiet_windows >= 2:
            return True
    return False


def run_once(cmd, env, args):
    """Runs cmd until it is not contaminated (or retries run out); returns its JSON row."""
    row = None
    for attempt in range(args.retries + 1):
        was_quiet = wait_quiet(args.quiet_cores, args.max_wait)
        usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy_before = busy_jiffies()
        start = time.time()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.time() - start
        busy = (busy_jiffies() - busy_before) / CLOCK_TICKS
        usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = (usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime)
        foreign_cores = max(0.0, busy - own) / wall
        json_lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not json_lines:
            return dict(cmd=" ".join(cmd), error=proc.stderr[-2000:], rc=proc.returncode)
        row = json.loads(json_lines[-1])
        row.update(foreign_cores=round(foreign_cores, 3), wall_s=round(wall, 2), was_quiet=was_quiet,
                   attempt=attempt, loadavg=open("/proc/loadavg").read().split()[0])
        if foreign_cores <= args.max_foreign:
            return row
        row["contaminated"] = True
        print("  (foreign CPU %.2f cores%s)" % (foreign_cores, ", retrying" if attempt < args.retries else ""),
              file=sys.stderr, flush=True)
    return row


def jobs(args):
    """(label, command, environment) for every run of one repeat."""
    base_env = dict(os.environ)
    numpy_env = {k: v for k, v in base_env.items() if k not in OPENBLAS_OVERRIDES}
    budget = ["--seconds", str(args.seconds), "--threads", str(args.threads)]
    ref = lambda script: os.path.join(args.ref_dir, script)  # noqa: E731
    out = []
    for config in args.configs.split(","):
        if not args.skip_nanograd:
            out.append(("nanograd", [args.nanograd, "bench", "--config", config] + budget, base_env))
        out.append(("torch", [args.python, ref("torch_mlp.py"), "--config", config, "--mode", "eager"] + budget,
                    base_env))
        if config in ADAM_CONFIGS:
            out.append(("torch-fused", [args.python, ref("torch_mlp.py"), "--config", config, "--mode", "eager",
                                        "--adam-impl", "fused"] + budget, base_env))
        out.append(("numpy", [args.python, ref("numpy_mlp.py"), "--config", config] + budget, numpy_env))
        if config == "tiny" and args.micrograd_steps > 0:
            out.append(("micrograd", [args.python, ref("micrograd_mlp.py"), "--config", "tiny",
                                      "--steps", str(args.micrograd_steps), "--warmup", "1"], base_env))
    return out


def label_of(row):
    """Which column a raw row belongs to."""
    impl = row.get("impl")
    if impl == "torch":
        return "torch-fused" if row.get("variant", "").endswith("+fused") else "torch"
    return impl


def summarize(path, keep_contaminated=False):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    rows = [r for r in rows if "steps_per_s" in r and (keep_contaminated or not r.get("contaminated"))]
    if keep_contaminated:
        print("(including runs during which other processes used more than --max-foreign cores)")
    medians = {}
    counts = {}
    final_mse = {}
    for r in rows:
        key = (r["config"], label_of(r))
        medians.setdefault(key, []).append(r["steps_per_s"])
        final_mse[key] = r["final_mse"]
    for key, values in list(medians.items()):
        counts[key] = len(values)
        medians[key] = statistics.median(values)
    columns = ["nanograd", "torch", "torch-fused", "numpy", "micrograd"]

    def cell(key):
        if key not in medians:
            return "–"
        return "%.4g (n=%d)" % (medians[key], counts[key])

    def ratio(numerator, denominator):
        return "%.2f×" % (numerator / denominator) if numerator and denominator else "–"

    print("steps/s, median over repeats (n = runs kept)")
    print()
    print("| config | " + " | ".join(columns) + " | nanograd / best PyTorch | nanograd / numpy |")
    print("|---" * (len(columns) + 3) + "|")
    seen_configs = [c for c in CONFIGS if any(k[0] == c for k in medians)]
    for config in seen_configs:
        nanograd = medians.get((config, "nanograd"))
        torch_best = max([medians[k] for k in [(config, "torch"), (config, "torch-fused")] if k in medians],
                         default=None)
        numpy = medians.get((config, "numpy"))
        print("| %s | %s | %s | %s |" % (config, " | ".join(cell((config, c)) for c in columns),
                                         ratio(nanograd, torch_best), ratio(nanograd, numpy)))
    print()
    print("final MSE of the last kept run: " + ", ".join(
        "%s/%s %.4g" % (k[0], k[1], v) for k, v in sorted(final_mse.items())))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ref-dir", default="../shared/bench", help="folder of torch_mlp.py, numpy_mlp.py, ...")
    ap.add_argument("--python", default=sys.executable, help="interpreter with numpy, torch, micrograd")
    ap.add_argument("--nanograd", default="target/release/nanograd")
    ap.add_argument("--skip-nanograd", action="store_true", help="measure the references only")
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--micrograd-steps", type=int, default=3, help="0 skips micrograd")
    ap.add_argument("--out", default=None, help="raw JSONL (appended); default: a new file in /tmp")
    ap.add_argument("--summarize", default=None, help="only print the table of an existing raw file")
    ap.add_argument("--keep-contaminated", action="store_true",
                    help="count runs disturbed by other processes (on a machine that is never quiet)")
    ap.add_argument("--quiet-cores", type=float, default=0.3)
    ap.add_argument("--max-foreign", type=float, default=0.3)
    ap.add_argument("--max-wait", type=float, default=120)
    ap.add_argument("--retries", type=int, default=2)
    args = ap.parse_args()
    if args.summarize:
        summarize(args.summarize, args.keep_contaminated)
        return
    for name in args.configs.split(","):
        if name not in CONFIGS:
            ap.error("unknown config %r (expected some of %s)" % (name, ",".join(CONFIGS)))
    if not args.skip_nanograd and not os.access(args.nanograd, os.X_OK):
        ap.error("%s is not an executable (build it, or pass --skip-nanograd)" % args.nanograd)
    out_path = args.out or "/tmp/nanograd-compare-%s.jsonl" % time.strftime("%Y%m%d-%H%M%S")
    all_jobs = jobs(args)
    with open(out_path, "a") as out:
        for repeat in range(args.repeats):
            for label, cmd, env in all_jobs:
                row = run_once(cmd, env, args)
                row["repeat"] = repeat
                out.write(json.dumps(row) + "\n")
                out.flush()
                if "steps_per_s" in row:
                    status = "%.4g steps/s, final mse %.4g, foreign %.2f cores" % (
                        row["steps_per_s"], row["final_mse"], row["foreign_cores"])
                else:
                    status = "ERROR rc=%s %s" % (row.get("rc"), row.get("error", "")[-300:])
                print("[rep %d] %-11s %-8s -> %s" % (repeat, label, cmd[cmd.index("--config") + 1], status),
                      flush=True)
    print("raw rows: %s" % out_path)
    print()
    summarize(out_path, args.keep_contaminated)


if __name__ == "__main__":
    main()
