#!/usr/bin/env bash
# The fuzz harness can fail: a wrapper around nnfield that crashes (SIGSEGV) on runs of
# models holding a non-finite number, exits 1 from validate on a long key, and writes two
# lines on stderr for a FIFO, must be caught on each count.
# Usage: selfcheck.sh NNFIELD_EXE FUZZ_SCRIPT
set -uo pipefail
exe=$1 fuzz=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/broken" <<WRAP
#!/usr/bin/env bash
if [ "\$1" = run ] && grep -qE '= *[-+]?(nan|inf)' "\$2" 2>/dev/null; then kill -SEGV \$\$; fi
if [ "\$1" = validate ] && grep -qE '^k{10000}' "\$2" 2>/dev/null; then echo "bad_alloc" >&2; exit 1; fi
if [ "\$1" = validate ] && grep -q 'fifo.h5' "\$2" 2>/dev/null; then printf 'one\ntwo\n' >&2; exit 2; fi
exec "$exe" "\$@"
WRAP
chmod +x "$work/broken"
/usr/bin/python3 "$fuzz" "$work/broken" --cases 120 > "$work/out" 2>&1
status=$?
fail=0
[ $status -eq 1 ] || { echo "FAIL: harness exit $status, expected 1"; fail=1; }
grep -q "killed by signal 11" "$work/out" || { echo "FAIL: the SIGSEGV was not reported"; fail=1; }
grep -q "validate: exit 1" "$work/out" || { echo "FAIL: the exit 1 was not reported"; fail=1; }
grep -q "with 2 lines on stderr" "$work/out" || { echo "FAIL: the two-line message was not reported"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: the harness reports crashes, exit 1 and multi-line messages" || cat "$work/out"
exit $fail
