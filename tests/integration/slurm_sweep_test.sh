#!/usr/bin/env bash
# Integration test: a real one-node Slurm cluster on localhost (Debian's slurmctld,
# slurmd, slurm-client and munge; see ../shared/notes/local-slurm.md) runs a sweep
# as an array job through deploy/slurm/nightsim-sweep.sbatch; `nightsim merge`
# joins the shards, and the aggregate must equal a local `nightsim sweep -j 2` run
# byte for byte. Every daemon started here is stopped by pid on exit (trap), and
# the state folder is removed.
#
# usage: slurm_sweep_test.sh NIGHTSIM_BINARY SOURCE_DIR
# exit: 0 pass, 1 fail, 77 skipped (not root, or Slurm/munge not installed)
set -euo pipefail
nightsim=$(realpath "$1")
src=$(realpath "$2")
sweep="$src/tests/harness/data/sweeps/determinism.yaml"
t0=$(date +%s.%N)

if [[ $(id -u) -ne 0 ]]; then echo "skip: needs root to start slurmctld/slurmd/munged"; exit 77; fi
for b in slurmctld slurmd sbatch squeue sinfo scontrol munged setpriv; do
  command -v "$b" >/dev/null || { echo "skip: $b not installed (scripts/setup installs it)"; exit 77; }
done

tmp=$(mktemp -d /tmp/nightsim-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  local rc=$?
  # Stop only what this script started, newest first, by pid.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [[ $rc -ne 0 && $rc -ne 77 ]]; then
    for f in "$tmp"/log/*.log "$tmp"/job-*.log; do [[ -f $f ]] && { echo "--- $f"; tail -20 "$f"; }; done
  fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# munge: a private socket, so a munged already running on the machine is untouched.
mkdir -p "$tmp/munge" "$tmp/log" "$tmp/state" "$tmp/spool" "$tmp/etc"
chown munge:munge "$tmp/munge"
chmod 755 "$tmp/munge"  # munged requires a socket folder every client can traverse
setpriv --reuid=munge --regid=munge --init-groups \
  munged -F --socket="$tmp/munge/munge.socket" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" 2>"$tmp/log/munged.log" &
pids+=($!)
for _ in $(seq 50); do [[ -S $tmp/munge/munge.socket ]] && break; sleep 0.1; done
[[ -S $tmp/munge/munge.socket ]] || { echo "FAIL: munged did not start"; cat "$tmp/munge/munged.log" || true; exit 1; }

node=$(slurmd -C | head -1 | sed -E 's/^NodeName=[^ ]+/NodeName=localhost NodeAddr=127.0.0.1/')
export SLURM_CONF="$tmp/etc/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=nightsim-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
$node
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -D -i 2>"$tmp/log/slurmctld.err.log" &
pids+=($!)
slurmd -D -N localhost 2>"$tmp/log/slurmd.err.log" &
pids+=($!)
for _ in $(seq 150); do [[ $(sinfo -h -o %T 2>/dev/null) == idle ]] && break; sleep 0.2; done
[[ $(sinfo -h -o %T 2>/dev/null) == idle ]] || { echo "FAIL: the node did not become idle"; sinfo || true; exit 1; }
t_up=$(date +%s.%N)

# Two array tasks = two shards of the sweep's four nights.
job=$(sbatch --parsable --array=0-1 --chdir="$tmp" --output="$tmp/job-%A_%a.log" \
  --export=ALL,NIGHTSIM="$nightsim",NIGHTSIM_SWEEP="$sweep",NIGHTSIM_OUT="$tmp/out" \
  "$src/deploy/slurm/nightsim-sweep.sbatch")
for _ in $(seq 600); do [[ -z $(squeue -h -j "$job" 2>/dev/null) ]] && break; sleep 0.2; done
[[ -z $(squeue -h -j "$job") ]] || { echo "FAIL: job $job still queued/running after 120 s"; exit 1; }
completed=$(scontrol show job "$job" | grep -c "JobState=COMPLETED" || true)
[[ $completed -eq 2 ]] || { echo "FAIL: $completed of 2 array tasks completed"; scontrol show job "$job"; exit 1; }
t_job=$(date +%s.%N)

"$nightsim" merge "$sweep" "$tmp"/out/shard-0 "$tmp"/out/shard-1 --out "$tmp/merged" >/dev/null
"$nightsim" sweep "$sweep" -j 2 --out "$tmp/local" >/dev/null 2>&1
if ! cmp "$tmp/merged/aggregate.json" "$tmp/local/aggregate.json"; then
  echo "FAIL: the merged Slurm aggregate differs from the local -j 2 aggregate"
  diff "$tmp/merged/aggregate.json" "$tmp/local/aggregate.json" | head -20
  exit 1
fi
t_end=$(date +%s.%N)
awk -v job="$job" -v a="$t0" -v b="$t_up" -v c="$t_job" -v d="$t_end" 'BEGIN {
  printf "PASS: Slurm array job %s (2 shards, 4 nights) merged = local -j 2 aggregate; cluster up %.1f s, job %.1f s, total %.1f s\n", job, b - a, c - b, d - a }'
