#!/usr/bin/env bash
# nnfield completion bash: the script loads in bash, and completing a command line gives
# what the parser accepts: subcommands, each one's options, the values of enumerated
# options, model files for models and HDF5 files for run files.
# Usage: completion.sh NNFIELD_EXE
set -uo pipefail
exe=$1
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
cd "$work"
"$exe" completion bash > nnfield.bash; code=$?
check "completion bash: exit 0, a script bash parses" "[ $code = 0 ] && [ -s nnfield.bash ] && bash -n nnfield.bash"
"$exe" completion zsh > /dev/null 2> zsh.err; code=$?
check "completion zsh: refused, exit 2, one line" "[ $code = 2 ] && [ \$(wc -l < zsh.err) = 1 ]"
source nnfield.bash
check "the script registers itself for nnfield" "complete -p nnfield | grep -q '_nnfield'"

# completions WORD...: what <TAB> offers after the words (the last is the one completed), sorted.
completions() {
  COMP_WORDS=(nnfield "$@")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  _nnfield
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
touch model.toml other.toml run.h5 notes.txt
mkdir sub
check "nnfield r<TAB>: run" "[ \"\$(completions r)\" = 'run ' ]"
check "nnfield run --f<TAB>: --force" "[ \"\$(completions run --f)\" = '--force ' ]"
check "nnfield i<TAB>: info" "[ \"\$(completions i)\" = 'info ' ]"
check "nnfield run --progress p<TAB>: plain" "[ \"\$(completions run m.toml --progress p)\" = 'plain ' ]"
check "nnfield ensemble --error <TAB>: both methods" "[ \"\$(completions ensemble --error '')\" = 'bootstrap jackknife ' ]"
check "nnfield run <TAB>: model files and folders" "[ \"\$(completions run '')\" = 'model.toml other.toml sub ' ]"
check "nnfield info <TAB>: HDF5 files and folders" "[ \"\$(completions info '')\" = 'run.h5 sub ' ]"
check "nnfield run m.toml -o <TAB>: HDF5 files and folders" "[ \"\$(completions run m.toml -o '')\" = 'run.h5 sub ' ]"
check "nnfield completion <TAB>: bash" "[ \"\$(completions completion '')\" = 'bash ' ]"
check "nnfield run --set <TAB>: nothing to offer" "[ \"\$(completions run --set '')\" = ' ' ]"
check "nnfield correlate -<TAB>: correlate's options, -q included" \
  "completions correlate - | grep -q -- '--connected' && completions correlate - | grep -q -- ' -q '"
# Every subcommand --help lists is completed (the script and the parser share one table).
for cmd in $("$exe" --help | awk '/^Subcommands:/ {on = 1; next} on && !NF {exit} on {print $1}'); do
  check "nnfield <TAB> offers $cmd" "completions '' | grep -qw -- '$cmd'"
done
summary
