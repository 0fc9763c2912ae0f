#!/usr/bin/env bash
# Fault tests of the nightsim CLI (docs/design.md §12): each fault must end with a clear
# message and a non-zero exit code (2 for bad input), leave no partial file under a
# final name, and the next run must recover.
#
# Usage: fault_test.sh NIGHTSIM SOURCE_DIR WORK_DIR CASE
#   full_disk       `run` writing range frames onto a full disk (a 1 MiB tmpfs in a
#                   private mount namespace; else a file-size limit, ulimit -f)
#   generate_interrupted
#                   SIGINT, then kill -9, in the middle of `generate`; the rerun
#                   finishes and gives the bytes of an uninterrupted run
#   score_bad_night `score` given truncated night files and a foreign HDF5 file
#   read_only_out   `run`, `generate`, `sweep` and `score` writing into a read-only
#                   folder (a read-only tmpfs: chmod does not stop root)
# (`sweep` interrupted: tests/harness/sweep_run_test.cc.)
# Exit 77 (ctest: skipped) when the machine lacks the mechanism a case needs.
set -uo pipefail
nightsim=$1 src=$2 work=$3 case=$4
minute=$src/tests/harness/data/night_file/minute_night.yaml
short=$src/tests/harness/data/night_file/short_night.yaml
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# expect_fail CODE_WANTED ("nonzero" or a number) MESSAGE_REGEX LOG EXIT
expect_fail() {
  local want=$1 regex=$2 log=$3 code=$4 what=$5
  if [[ $want == nonzero && $code -eq 0 ]] || [[ $want != nonzero && $code -ne $want ]]; then
    fail "$what: exit code $code, expected $want"; sed 's/^/  | /' "$log"; return
  fi
  if ! grep -Eq "$regex" "$log"; then
    fail "$what: no message matching /$regex/"; sed 's/^/  | /' "$log"; return
  fi
  ok "$what: exit $code, '$(grep -Em1 "$regex" "$log")'"
}

# No file under a final name may be left by a failed command: only hidden
# temporaries (".<name>.tmp-<pid>-<n>") of a killed process are allowed.
expect_no_outputs() {
  local dir=$1 what=$2 left
  left=$(find "$dir" -type f ! -name '.*.tmp-*' 2>/dev/null | sort)
  if [[ -n $left ]]; then fail "$what: files left behind: $left"; else ok "$what: no output left"; fi
}

expect_no_temporaries() {
  local dir=$1 what=$2 left
  left=$(find "$dir" -name '.*.tmp-*' 2>/dev/null)
  if [[ -n $left ]]; then fail "$what: temporaries left behind: $left"; else ok "$what: no temporaries"; fi
}

can_mount() { unshare -m true 2>/dev/null; }

case $case in
full_disk)
  # A whole 10-minute night of range frames is several MiB; 1 MiB cannot hold it.
  mkdir -p disk
  if can_mount; then
    how="a full 1 MiB tmpfs"
    # The tmpfs lives as long as its private mount namespace: run and look inside it.
    unshare -m bash -c 'mount -t tmpfs -o size=1m tmpfs disk || exit 99
      "$0" run "$1" --level range --export-frames --out disk/n >full.log 2>&1; echo $? >code.txt
      find disk -type f >leftover.txt' "$nightsim" "$short"
    code=$(cat code.txt)
    if [[ -s leftover.txt ]]; then fail "full disk: files left behind: $(cat leftover.txt)"; else ok "full disk: no output and no temporary left"; fi
  else
    how="a 1 MiB file-size limit (ulimit -f; SIGXFSZ ignored so writes fail with EFBIG)"
    (trap '' XFSZ; ulimit -f 1024; exec "$nightsim" run "$short" --level range --export-frames --out disk/n) >full.log 2>&1
    code=$?
    expect_no_outputs disk "full disk"
    expect_no_temporaries disk "full disk"
  fi
  echo "full disk by $how"
  expect_fail nonzero 'n\.h5.*(No space left|File too large|write|flush|close)|(No space left|File too large).*n\.h5|cannot (write|flush)' \
    full.log "$code" "run onto a full disk"
  if grep -q "internal error" full.log; then fail "run onto a full disk: reported as an internal error, not as an I/O error"; fi
  ((code == 3)) || fail "run onto a full disk: exit code $code, expected 3 (an output could not be written)"
  grep -q "Sanitizer" full.log && fail "run onto a full disk: a sanitizer report"
  # Recovery: the same command with room to write finishes and the night reads back.
  "$nightsim" run "$short" --level range --export-frames --out disk/n >again.log 2>&1 || fail "rerun with room: $(cat again.log)"
  "$nightsim" score disk/n.h5 disk/n.predictions.csv --out disk/n.score.json >score.log 2>&1 \
    && ok "rerun with room: complete night scores" || fail "rerun's night does not score: $(cat score.log)"
  expect_no_temporaries disk "rerun with room"
  ;;

generate_interrupted)
  # Enough nights (10 min each) that the run is still going when the signal comes:
  # with only a few, a fast machine finishes them all before the first one is seen.
  args=(generate "$short" --nights 12 --seed 7 --level range -j 1)
  "$nightsim" "${args[@]}" --out clean >clean.log 2>&1 || { fail "uninterrupted generate: $(cat clean.log)"; exit 1; }
  wait_for_nights() {  # wait_for_nights DIR N: until N complete night files exist (bounded)
    local i
    for ((i = 0; i < 1200; i++)); do
      (($(find "$1" -maxdepth 1 -name '*.h5' ! -name '.*' 2>/dev/null | wc -l) >= $2)) && return 0
      sleep 0.1
    done
    return 1
  }
  count_nights() { find "$1" -maxdepth 1 -name '*.h5' ! -name '.*' 2>/dev/null | wc -l; }
  # Predictions for the 10-minute night (20 epochs of 30 s): every complete night scores.
  { echo "epoch,stage"; for e in $(seq 0 19); do echo "$e,none"; done; } >epochs20.csv
  for sig in INT KILL; do
    "$nightsim" "${args[@]}" --out set >"$sig.log" 2>&1 &
    pid=$!
    done_before=$(count_nights set)
    ((done_before < 12)) || fail "SIG$sig: every night was already complete before this run"
    wait_for_nights set $((done_before + 1)) || fail "generate never finished a night"
    sleep 0.2  # most likely in the middle of the next night now
    kill -s "$sig" "$pid"
    wait "$pid"
    code=$?
    n=$(count_nights set)
    if ((code == 0)); then
      echo "note: generate finished before SIG$sig arrived; nothing was interrupted this time"
    else
      ok "generate stopped by SIG$sig (exit $code) with $n of 12 nights complete"
      if [[ $sig == INT ]]; then
        grep -q "rerun the same command to resume" "$sig.log" && ok "SIGINT: says how to resume: $(tail -1 "$sig.log")" \
          || fail "SIGINT: no 'rerun the same command to resume' in: $(cat "$sig.log")"
        ((code == 130)) || fail "SIGINT: exit code $code, expected 130"
      fi
      [[ -f set/manifest.json ]] && fail "SIG$sig: manifest.json written by an interrupted run"
    fi
    # Every night file under its final name is complete: it scores.
    for f in set/*.h5; do
      "$nightsim" score "$f" epochs20.csv --out "$work/probe.json" >/dev/null 2>probe.err \
        || fail "SIG$sig: $f is not a complete night: $(cat probe.err)"
    done
    ok "SIG$sig: $n complete night files, each readable"
  done
  "$nightsim" "${args[@]}" --out set >rerun.log 2>&1 || fail "rerun after the interruptions: $(cat rerun.log)"
  grep -Eq "already complete" rerun.log && ok "rerun skipped complete nights: $(grep -Eo '\([0-9]+ already complete\)' rerun.log)"
  for f in clean/*; do
    cmp -s "$f" "set/$(basename "$f")" || fail "rerun: $(basename "$f") differs from the uninterrupted run's"
  done
  ok "rerun: every file equals the uninterrupted run's ($(ls clean | wc -l) files)"
  expect_no_temporaries set "rerun after kill -9"
  ;;

score_bad_night)
  "$nightsim" run "$short" --out n >run.log 2>&1 || { fail "run: $(cat run.log)"; exit 1; }
  size=$(stat -c %s n.h5)
  for keep in 0 8 512 $((size / 2)) $((size - 1)); do
    head -c "$keep" n.h5 >cut.h5
    "$nightsim" score cut.h5 n.predictions.csv --out cut.score.json >cut.log 2>&1
    expect_fail 2 'cut\.h5' cut.log $? "score of a night file cut to $keep of $size bytes"
    [[ -e cut.score.json ]] && fail "a score was written for a truncated night"
  done
  # A foreign HDF5 file: valid HDF5, not a night file, made by h5py (else h5import).
  # Debian's interpreter first: python3-h5py (scripts/setup) installs there.
  py=/usr/bin/python3; [[ -x $py ]] || py=python3
  if "$py" -c 'import h5py' 2>/dev/null; then
    "$py" -c 'import h5py, sys; f = h5py.File(sys.argv[1], "w"); f["data"] = [1, 2, 3]; f.attrs["title"] = "not a night"' foreign.h5
  elif command -v h5import >/dev/null; then
    printf '1 2 3\n' >foreign.txt && printf 'PATH data\nINPUT-CLASS TEXTIN\nRANK 1\nDIMENSION-SIZES 3\n' >foreign.cfg \
      && h5import foreign.txt -c foreign.cfg -o foreign.h5
  fi
  if [[ -f foreign.h5 ]]; then
    "$nightsim" score foreign.h5 n.predictions.csv --out foreign.score.json >foreign.log 2>&1
    expect_fail 2 'foreign\.h5.*not a nightsim night file' foreign.log $? "score of a foreign HDF5 file"
    [[ -e foreign.score.json ]] && fail "a score was written for a foreign file"
  else
    echo "note: no h5py or h5import to make a foreign HDF5 file (tests/harness/night_file_test.cc covers the reader)"
  fi
  # Recovery: the intact night still scores.
  "$nightsim" score n.h5 n.predictions.csv --out n.score.json >ok.log 2>&1 && ok "intact night scores" \
    || fail "intact night: $(cat ok.log)"
  ;;

read_only_out)
  # Root writes through chmod; a read-only mount stops everyone (EROFS).
  if can_mount; then
    how="a read-only tmpfs"
    ro() { unshare -m bash -c 'mount -t tmpfs -o ro,size=1m tmpfs ro && exec "$@"' bash "$@"; }
  elif ((EUID != 0)); then
    how="chmod a-w"
    ro() { "$@"; }
    mkdir -p ro && chmod a-w ro
  else
    echo "skipped: running as root without mount namespaces; no way to make a folder read-only for root"
    exit 77
  fi
  mkdir -p ro
  echo "read-only output folder by $how"
  "$nightsim" run "$short" --out n >run.log 2>&1 || { fail "run: $(cat run.log)"; exit 1; }
  ro "$nightsim" run "$minute" --out ro/n >run_ro.log 2>&1
  expect_fail nonzero 'ro/\.?n.*(Read-only|Permission denied)|(Read-only|Permission denied).*ro/\.?n' run_ro.log $? "run into a read-only folder"
  ro "$nightsim" generate "$minute" --nights 1 --out ro/set >gen_ro.log 2>&1
  expect_fail nonzero 'ro/set.*(Read-only|Permission denied)|(Read-only|Permission denied).*ro/set' gen_ro.log $? "generate into a read-only folder"
  ro "$nightsim" sweep "$src/tests/harness/data/sweeps/determinism.yaml" --out ro/sweep >sweep_ro.log 2>&1
  expect_fail nonzero 'ro/sweep.*(Read-only|Permission denied)|(Read-only|Permission denied).*ro/sweep' sweep_ro.log $? "sweep into a read-only folder"
  ro "$nightsim" score n.h5 n.predictions.csv --out ro/n.score.json >score_ro.log 2>&1
  expect_fail nonzero 'ro/n\.score\.json.*(Read-only|Permission denied)|(Read-only|Permission denied).*ro/n\.score' score_ro.log $? "score into a read-only folder"
  for log in run_ro gen_ro sweep_ro score_ro; do
    grep -q "internal error" $log.log && fail "$log: reported as an internal error, not as an unwritable folder"
  done
  expect_no_outputs ro "read-only folder"
  # Recovery: the same commands into a writable folder succeed.
  mkdir -p rw
  "$nightsim" score n.h5 n.predictions.csv --out rw/n.score.json >score_rw.log 2>&1 && ok "score into a writable folder" \
    || fail "score into a writable folder: $(cat score_rw.log)"
  ;;

*) echo "unknown case $case"; exit 1 ;;
esac

echo "$case: $((failures == 0 ? 1 : 0)) passed, $((failures > 0 ? 1 : 0)) failed"
((failures == 0))
