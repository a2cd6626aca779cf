#!/usr/bin/env bash
# Runs every libFuzzer target for a while.
#
#   tests/fuzz/run.sh BIN_DIR SECONDS
#
# BIN_DIR holds the fuzz executables (build/bin after the SIO_FUZZ build).
# SECONDS is the time per target; 0 only replays the seed corpus.
# Each target works on a scratch copy of its seed corpus under
# build/fuzz-run/<target>/, so the committed corpus is never modified; crash
# inputs and the log land there too. Prints one line per target and, last,
# "N passed, M failed"; exits non-zero when any target failed.
set -u

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 BIN_DIR SECONDS" >&2
  exit 2
fi
bin_dir=$1
seconds=$2

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
scratch="$root/build/fuzz-run"

# Every fuzz target the build produced (tests/fuzz/CMakeLists.txt names them).
targets=()
for exe in "$bin_dir"/fuzz_*; do
  [[ -f $exe && -x $exe ]] && targets+=("$(basename "$exe")")
done
if ((${#targets[@]} == 0)); then
  echo "no fuzz_* executables in $bin_dir (configure with -DSIO_FUZZ=ON and build)"
  echo "0 passed, 1 failed"
  exit 1
fi

# tests/fuzz/<name>.dict for fuzz_<name>, or one shared by a family.
dictionary_for() {
  if [[ -f $here/${1#fuzz_}.dict ]]; then
    echo "$here/${1#fuzz_}.dict"
    return
  fi
  case $1 in
    fuzz_engineio_*) echo "$here/engineio.dict" ;;
    fuzz_socketio_*) echo "$here/socketio.dict" ;;
  esac
}

passed=0
failed=0
for target in "${targets[@]}"; do
  exe="$bin_dir/$target"
  work="$scratch/$target"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  if [[ -d $here/corpus/$target ]]; then
    cp -R "$here/corpus/$target/." "$work/corpus/"
  fi

  args=(-rss_limit_mb=2048 -max_len=4096 -timeout=25 -print_final_stats=1
        "-artifact_prefix=$work/artifacts/")
  if ((seconds > 0)); then
    args+=("-max_total_time=$seconds")
  else
    args+=(-runs=0)
  fi
  dict=$(dictionary_for "$target")
  if [[ -n $dict && -f $dict ]]; then
    args+=("-dict=$dict")
  fi

  log="$work/log"
  "$exe" "${args[@]}" "$work/corpus" >"$log" 2>&1
  rc=$?

  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  inputs=$(find "$work/corpus" -type f | wc -l)
  artifact=$(find "$work/artifacts" -type f | head -n 1)
  if ((rc == 0)) && [[ -z $artifact ]]; then
    echo "$target: ok, ${runs:-?} runs in ${seconds} s (${rate:-?} exec/s), corpus ${inputs} inputs"
    passed=$((passed + 1))
  else
    reason=$(grep -m 1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*check failed)' "$log")
    echo "$target: FAILED (exit $rc) ${reason:-see log}; input ${artifact:-none}; log $log"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
((failed == 0))
