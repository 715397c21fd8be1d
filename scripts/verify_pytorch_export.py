#!/usr/bin/env python3
"""Checks that `nanograd export --pytorch` scripts predict what `nanograd predict` does.

Trains networks with the release binary (every activation; no, one, two and three hidden
layers; one and two inputs; the README's examples; a sine curve through zero), exports each
as a PyTorch script, then predicts every row of the training data and a few rows far outside
it three ways: `nanograd predict`, the script run as a program (`python model.py WEIGHTS
ROW...`) and the script imported (`load(WEIGHTS).predict(rows)`). Prints each network's
largest difference relative to the prediction, and fails when one is over 1e-5 (relative to
y's standard deviation instead, for a prediction nearer 0 than that), when the printed
predictions are not the imported ones, or when a script accepts another network's weights.

PyTorch is not part of the tests that CI runs, so this installs it into a virtual
environment of its own (reused on later runs):

    python3 scripts/verify_pytorch_export.py [--venv DIR] [--nanograd BINARY] [--keep DIR]

The venv defaults to nanograd-torch-venv in the system's temporary folder. It tries
PyTorch's CPU-only wheels first and falls back to the default package index (a far larger
download, with CUDA libraries that stay unused) when that index cannot be reached. The
binary defaults to target/release/nanograd (under $CARGO_TARGET_DIR when set), built with
`cargo build --release` when missing.
"""

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "assets" / "data"
TOLERANCE = 1e-5
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

ACTIVATIONS = ["tanh", "relu", "sigmoid", "identity"]
DEPTHS = ["none", "16", "32,32", "8,8,8"]
# (csv, inputs, target): one input and two inputs, on the same data.
PROBLEMS = [
    ("cars_mpg.csv", ["Horsepower"], "Miles_per_Gallon"),
    ("cars_mpg.csv", ["Horsepower", "Weight_in_lbs"], "Miles_per_Gallon"),
]
# The README's examples, with the train command's defaults (32,32 tanh, L2 by cross-validation).
README_EXAMPLES = [
    ("engel_food.csv", ["income"], "foodexp"),
    ("seattle_weather_2012_2015.csv", ["day_of_year"], "temp_max"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "nanograd-torch-venv")
    parser.add_argument("--nanograd", type=Path, help="the nanograd binary to check")
    parser.add_argument("--keep", type=Path, help="leave the weights and scripts in this folder")
    parser.add_argument("--inside-venv", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside_venv:
        return verify(args.nanograd, args.keep)
    nanograd = args.nanograd or release_binary()
    python = prepare_venv(args.venv)
    command = [str(python), __file__, "--inside-venv", "--nanograd", str(nanograd)]
    if args.keep:
        command += ["--keep", str(args.keep)]
    return subprocess.call(command)


def release_binary():
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "release" / ("nanograd.exe" if os.name == "nt" else "nanograd")
    if not binary.exists():
        print("== building the release binary (cargo build --release)", flush=True)
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    return binary


def prepare_venv(venv):
    """The venv's python, with torch, safetensors and numpy installed."""
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    check = [str(python), "-c", "import torch, safetensors"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        print(f"== using the PyTorch venv {venv}", flush=True)
        return python
    print(f"== creating a venv with PyTorch in {venv}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    cpu_only = pip + ["--retries", "1", "--timeout", "20", "torch", "--index-url", CPU_INDEX]
    if subprocess.run(cpu_only).returncode != 0:
        print(f"   {CPU_INDEX} did not serve torch; installing it from the default index", flush=True)
        subprocess.run(pip + ["torch"], check=True)
    subprocess.run(pip + ["safetensors", "numpy"], check=True)
    return python


def verify(nanograd, keep):
    import torch
    import safetensors

    print(
        f"{run([nanograd, '--version']).strip()}, torch {torch.__version__}, "
        f"safetensors {safetensors.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}, {datetime.date.today()}"
    )
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        return check_networks(nanograd, keep, keep)
    with tempfile.TemporaryDirectory(prefix="nanograd-export-") as folder:
        return check_networks(nanograd, Path(folder), keep)


def check_networks(nanograd, folder, keep):
    """Trains, exports and compares every network in `folder`; 0 when all agree."""
    configs = []
    for csv, x, y in PROBLEMS:
        for hidden in DEPTHS:
            for activation in ACTIVATIONS if hidden != "none" else ["tanh"]:
                flags = ["--hidden", hidden, "--activation", activation, "--epochs", "300", "--l2", "0.1"]
                configs.append((DATA / csv, x, y, flags))
    for csv, x, y in README_EXAMPLES:
        configs.append((DATA / csv, x, y, []))
    configs.append((write_sine(folder), ["x"], "y", ["--hidden", "32,32", "--epochs", "300", "--l2", "0"]))

    worst = (0.0, None)
    worst_checked = (0.0, None)
    failures = []
    made = []
    print(f"{'data: inputs':<40} {'network':<18} {'rows':>5} {'relative':>9} {'checked':>9}")
    for index, (csv, x, y, flags) in enumerate(configs):
        weights = folder / f"net{index}.safetensors"
        script = folder / f"net{index}.py"
        command = [nanograd, "train", csv, "--y", y, "--save", weights, "--json"]
        for column in x:
            command += ["--x", column]
        trained = json.loads(run(command + flags))
        run([nanograd, "export", weights, "--pytorch", script, "--force"])
        network = describe(len(x), trained["hidden"], trained["activation"])
        made.append((script, weights, network))
        rows = input_rows(csv, x)

        predict = [nanograd, "predict", weights]
        for row in rows:
            for value in row:
                predict += ["--x", value]
        # Compared as the float32 values both compute, whatever digits print them.
        expected = [float32(float(line)) for line in run(predict).split()]
        program = run([sys.executable, script, weights] + [",".join(row) for row in rows]).split()
        imported = load_module(script).load(str(weights)).predict([[float(v) for v in row] for row in rows])
        if not len(expected) == len(program) == len(imported) == len(rows):
            failures.append(f"{script.name}: {len(rows)} rows gave {len(expected)}, {len(program)}, {len(imported)} predictions")
            continue
        # The program prints what the module computes, in the fewest digits that read back as it.
        mismatched = [(t, v) for t, v in zip(program, imported) if float32(float(t)) != float32(v)]
        if mismatched:
            failures.append(f"{script.name}: printed {mismatched[0][0]} for {mismatched[0][1]!r}")

        y_std = json.loads(safe_metadata(weights)["y_std"])[0]
        name = f"{csv.stem}: {','.join(x)}"
        # Relative to the prediction; and what is checked, relative to the prediction or, for
        # one nearer 0 than the target's standard deviation, to that deviation: differences
        # in the last digits of sums leave a prediction near 0 no room for a relative bound.
        errors = [relative(float32(v), e) for v, e in zip(imported, expected)]
        checked = [abs(float32(v) - e) / max(abs(e), y_std) for v, e in zip(imported, expected)]
        print(f"{name:<40} {network:<18} {len(rows):>5} {max(errors):>9.2e} {max(checked):>9.2e}")
        if max(errors) > worst[0]:
            worst = (max(errors), f"{name}, {network}, row {rows[errors.index(max(errors))]}")
        if max(checked) > worst_checked[0]:
            worst_checked = (max(checked), f"{name}, {network}")
        if max(checked) > TOLERANCE:
            row = checked.index(max(checked))
            failures.append(
                f"{script.name} ({name}, {network}): {max(checked):.2e} at row {rows[row]}, "
                f"nanograd {expected[row]!r}, PyTorch {imported[row]!r}"
            )

    failures += check_mismatch_refused(made)
    print(f"\nlargest relative difference: {worst[0]:.2e} ({worst[1]})")
    print(
        f"largest checked difference (relative to the prediction, or to y's std for predictions "
        f"nearer 0): {worst_checked[0]:.2e} ({worst_checked[1]}); tolerance {TOLERANCE:.0e}"
    )
    print(f"{len(configs)} networks, weights and scripts in {folder}" if keep else f"{len(configs)} networks")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("all predictions agree")
    return 0


def write_sine(folder):
    """A curve through zero: y = sin(x) on 0..4π, 400 points, where a relative difference
    is at its hardest (a prediction near 0 leaves it no room)."""
    path = folder / "sine.csv"
    lines = ["x,y"] + [f"{i * 4 * math.pi / 399!r},{math.sin(i * 4 * math.pi / 399)!r}" for i in range(400)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def safe_metadata(weights):
    from safetensors import safe_open

    with safe_open(str(weights), framework="pt") as file:
        return file.metadata()


def input_rows(csv, columns):
    """Every row's inputs as the file writes them, then rows far outside the data."""
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    indices = [header.index(column) for column in columns]
    rows = [[line.split(",")[i] for i in indices] for line in lines[1:] if line]
    for scale in (-3.0, 0.0, 10.0):
        extreme = []
        for i in range(len(columns)):
            values = [float(row[i]) for row in rows]
            low, high = min(values), max(values)
            extreme.append(repr(low + scale * (high - low)) if scale else "0")
        rows.append(extreme)
    return rows


def check_mismatch_refused(made):
    """A script given the weights of another network stops with a clear error and status 2:
    other layer sizes, and the same sizes with another activation."""
    scripts = {network: (script, weights) for script, weights, network in made}
    failures = []
    for script_of, weights_of in [("1-16-1 tanh", "2-16-1 tanh"), ("1-16-1 tanh", "1-16-1 relu")]:
        script, weights = scripts[script_of][0], scripts[weights_of][1]
        result = subprocess.run([sys.executable, script, weights, "1"], capture_output=True, text=True)
        if result.returncode != 2 or "network; this script builds" not in result.stderr:
            failures.append(f"{script_of} script with {weights_of} weights: status {result.returncode}, {result.stderr.strip()!r}")
        else:
            print(f"{script_of} script, {weights_of} weights: {result.stderr.strip()}")
    return failures


def describe(n_inputs, hidden, activation):
    if not hidden:
        return f"{n_inputs}-1 linear"
    return f"{n_inputs}-{'-'.join(map(str, hidden))}-1 {activation}"


def relative(value, expected):
    if value == expected:
        return 0.0
    return abs(value - expected) / max(abs(expected), sys.float_info.min)


def float32(value):
    return struct.unpack("f", struct.pack("f", value))[0]


def load_module(script):
    spec = importlib.util.spec_from_file_location(script.stem, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(command):
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(str(p) for p in command[:4])} … failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


if __name__ == "__main__":
    sys.exit(main())
