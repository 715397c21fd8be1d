#!/usr/bin/env bash
# Side-by-side throughput of `nanograd bench` against PyTorch, numpy and micrograd on the same
# protocol. A developer tool for a quiet machine: never run in CI (it needs a ~4 GB venv).
#
# Usage: benches/compare.sh [--venv DIR] [--ref-dir DIR] [--no-build] [compare.py options...]
#   --venv DIR     reference environment, created when missing (default ~/refvenv; kept outside
#                  the repository because torch and its CUDA wheels take several GB)
#   --ref-dir DIR  the reference trainers torch_mlp.py, numpy_mlp.py, micrograd_mlp.py
#                  (default ../shared/bench, relative to the repository root)
#   --no-build     use target/release/nanograd as it is
# Everything else goes to benches/compare.py: --configs tiny,wide --seconds 3 --repeats 3
# --threads 1 --micrograd-steps 3 --out FILE --skip-nanograd; --summarize FILE reprints a table.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${HOME}/refvenv"
ref_dir="${repo_root}/../shared/bench"
build=1
passthrough=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --venv) venv="$2"; shift 2 ;;
        --ref-dir) ref_dir="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) passthrough+=("$1"); shift ;;
    esac
done

for script in torch_mlp.py numpy_mlp.py micrograd_mlp.py common.py; do
    if [[ ! -f "${ref_dir}/${script}" ]]; then
        echo "compare.sh: ${ref_dir}/${script} not found (pass --ref-dir)" >&2
        exit 2
    fi
done
ref_dir="$(cd "${ref_dir}" && pwd)"

case "$(cd "$(dirname "${venv}")" 2>/dev/null && pwd)/" in
    "${repo_root}"/*) echo "compare.sh: the venv must live outside the repository" >&2; exit 2 ;;
esac
if [[ ! -x "${venv}/bin/python" ]]; then
    echo "compare.sh: creating ${venv} (numpy, micrograd, torch: ~4 GB download)" >&2
    python3 -m venv "${venv}"
    "${venv}/bin/pip" install --quiet numpy micrograd torch threadpoolctl
fi

cd "${repo_root}"
if [[ ${build} -eq 1 ]]; then
    cargo build --release --bin nanograd
fi

exec "${venv}/bin/python" "${repo_root}/benches/compare.py" \
    --ref-dir "${ref_dir}" --python "${venv}/bin/python" \
    --nanograd "${repo_root}/target/release/nanograd" "${passthrough[@]}"
