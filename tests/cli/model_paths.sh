#!/usr/bin/env bash
# Paths in model files (docs/model-files.md, "Paths"): a model in models/ naming
# ../inputs/init.h5 and ../inputs/data.h5 runs from an unrelated working directory; --set
# paths resolve from the working directory; the run's resolved configuration names the
# absolute paths, and `validate --print` prints a model that loads back from anywhere.
# Usage: model_paths.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
mkdir -p "$work/project/models" "$work/project/inputs" "$work/elsewhere" "$work/here"
/usr/bin/python3 - "$work/project/inputs" <<'PY'
import sys, h5py, numpy as np
rng = np.random.default_rng(1)
M, N, K, S = 3, 8, 3, 4
with h5py.File(sys.argv[1] + "/init.h5", "w") as f:
    f["W"] = rng.normal(0, 0.5, (M, N, K))
    f["b"] = np.zeros((M, N))
with h5py.File(sys.argv[1] + "/data.h5", "w") as f:
    f["X"] = rng.normal(0, 1, (S, N))
    f["Y"] = rng.normal(0, 1, (S, N))
PY
cp "$work/project/inputs/data.h5" "$work/here/local.h5"
cp "$src/tests/data/model_paths/models/m.toml" "$work/project/models/m.toml"

cd "$work/elsewhere"
check "run from another directory" "'$exe' run ../project/models/m.toml -o run.h5 -q"
check "provenance names the absolute paths" "/usr/bin/python3 - run.h5 '$work' <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], 'r') as f:
    text = f.attrs['resolved_config']
    text = text.decode() if isinstance(text, bytes) else text
root = sys.argv[2]
assert f'file = \"{root}/project/inputs/init.h5\"' in text, text
assert f'file = \"{root}/project/inputs/data.h5\"' in text, text
PY"
"$exe" validate ../project/models/m.toml --print > "$work/here/resolved.toml"
cd "$work/here"
check "validate --print loads back from another directory" "'$exe' validate resolved.toml > /dev/null"
check "--set paths resolve from the working directory" \
  "'$exe' validate ../project/models/m.toml --set data.file=local.h5 --print | grep -qx 'file = \"$work/here/local.h5\"'"
"$exe" validate ../project/models/m.toml --set data.file=missing.h5 2> err.txt
check "--set missing file: named from the working directory" "grep -q '$work/here/missing.h5: no such file' err.txt"
mv "$work/project/inputs" "$work/project/moved"
"$exe" validate ../project/models/m.toml 2> err.txt; code=$?
check "a model's missing file: exit 2" "[ $code = 2 ]"
check "a model's missing file: named beside the model" "grep -q 'init.file\|data.file' err.txt && grep -q '$work/project/inputs/' err.txt"
summary
