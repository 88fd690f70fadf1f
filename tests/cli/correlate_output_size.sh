#!/usr/bin/env bash
# nnfield correlate's output size (docs/correlators.md, "After the fact"): --only writes
# exactly the selected outputs, computing what they need; large datasets are compressed
# losslessly; an estimate above 1 GB is announced on stderr before anything large is read,
# and refused with exit 5 when it does not fit --max-memory. No test writes a gigabyte: the
# huge case is a run file that declares a large field without storing it.
# Usage: correlate_output_size.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
py=/usr/bin/python3
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

"$exe" run "$src/models/teacher_tanh.toml" -o "$work/run.h5" --progress off \
  --set dynamics.t_end=2 --set output.every=0.25 > /dev/null
check "run exits 0" "[ $? -eq 0 ]"
"$exe" correlate "$work/run.h5" -o "$work/all.h5" --field w 2> /dev/null
check "correlate (everything) exits 0" "[ $? -eq 0 ]"
"$exe" correlate "$work/run.h5" -o "$work/xi.h5" --field w --only width,xi 2> /dev/null
check "correlate --only width,xi exits 0" "[ $? -eq 0 ]"
"$exe" correlate "$work/run.h5" -o "$work/auto.h5" --only autocorrelation 2> /dev/null
check "correlate --only autocorrelation exits 0" "[ $? -eq 0 ]"

$py - "$work" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
def datasets(path):
    """The datasets below groups (the root holds the dimension coordinates)."""
    out = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.append(n) if isinstance(o, h5py.Dataset) and "/" in n else None)
    return set(out)
axes = {"correlators/time", "correlators/row", "correlators/k"}
got = datasets(f"{work}/xi.h5")
assert got == axes | {"correlators/width", "correlators/xi", "time_average/width", "time_average/xi"}, got
# xi needs the structure factor: computed, not written; and equal to everything's xi.
with h5py.File(f"{work}/xi.h5", "r") as sel, h5py.File(f"{work}/all.h5", "r") as full:
    for name in ["correlators/xi", "correlators/width", "time_average/xi"]:
        assert np.array_equal(sel[name][()], full[name][()], equal_nan=True), name
    # The 2d correlator is large enough to be stored compressed (shuffle + deflate); that
    # compression keeps every bit is tests/io/test_h5_storage.cpp's to check.
    d2 = full["correlators/2d"]
    assert d2.compression == "gzip" and d2.shuffle, (d2.compression, d2.shuffle)
    assert d2.id.get_storage_size() < d2.size * 8
    assert full["correlators/row"].dtype == np.int64 and full.attrs["M"].dtype == np.int64
got = datasets(f"{work}/auto.h5")
# the autocorrelation of the layer means needs them: computed, not written
assert not any(n.startswith(("correlators/layer_mean", "time_average")) for n in got), got
assert {"autocorrelation/layer_mean", "autocorrelation/loss"} <= got, got
print("selection ok")
PY
check "--only writes exactly the selected outputs; large ones are compressed" "[ $? -eq 0 ]"

"$exe" correlate "$work/run.h5" -o "$work/bad.h5" --only width,wdth 2> "$work/bad.err"
code=$?
check "--only with an unknown name: exit 2, one line with a suggestion, no file" \
  "[ $code -eq 2 ] && [ \$(wc -l < '$work/bad.err') -eq 1 ] && grep -q \"did you mean 'width'\" '$work/bad.err' && [ ! -e '$work/bad.h5' ]"

# A run file declaring 4000 rows of a 64 x 64 field, stored as unwritten chunks (a few KB):
# its 2d correlator would be 4000 * 64 * 64 * 64 doubles = 8.4 GB.
$py - "$work/huge.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["trajectory/time"] = np.arange(4000.0)
    f.create_dataset("trajectory/z", shape=(4000, 64, 64), chunks=(1, 64, 64), dtype="f8")
PY
check "the huge run file is small" "[ \$(stat -c %s '$work/huge.h5') -lt 1000000 ]"
"$exe" correlate "$work/huge.h5" -o "$work/huge_out.h5" --max-memory 100M 2> "$work/huge.err"
code=$?
check "a huge estimate: one note line naming the size and the largest output, then exit 5 (one line)" \
  "[ $code -eq 5 ] && [ \$(wc -l < '$work/huge.err') -eq 2 ] && grep -q 'note: estimated output .* GB before compression (4000 rows; largest: 2d)' '$work/huge.err' && grep -q 'exceeds the 100 MB of --max-memory' '$work/huge.err' && [ ! -e '$work/huge_out.h5' ]"
"$exe" correlate "$work/huge.h5" -o "$work/huge_out.h5" --max-memory 100M --only xi 2> "$work/small.err"
code=$?
check "below 1 GB there is no note (and the refusal still names --max-memory)" \
  "[ $code -eq 5 ] && ! grep -q 'estimated output' '$work/small.err' && grep -q 'max-memory' '$work/small.err'"

summary
