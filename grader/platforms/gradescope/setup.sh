#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: Python 3.11 or
# newer, then .venv/ here with the CPU-only build of torch and the exact versions in
# constraints.txt (course.py setup; it refuses torch's CUDA packages).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        PYTHON="$candidate"
        break
    fi
done
if [ -z "$PYTHON" ]; then                 # Ubuntu 22.04's python3 is 3.10
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11
fi
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$PYTHON-venv"
fi

# torch's index, as course.py reads it: TORCH_INDEX_URL if set (set but empty: pip's own
# index alone); else the one `python -m grader gradescope` wrote into torch-index-url (it
# was run with TORCH_INDEX_URL set); else PyTorch's CPU-only index.
if [ -z "${TORCH_INDEX_URL+set}" ]; then
    if [ -f torch-index-url ]; then
        TORCH_INDEX_URL="$(head -n 1 torch-index-url)"
    else
        TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
    fi
fi
TORCH_INDEX_URL="$TORCH_INDEX_URL" "$PYTHON" course.py setup
.venv/bin/python -c 'import torch, sklearn; print("torch", torch.__version__)'
