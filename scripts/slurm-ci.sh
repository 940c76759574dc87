#!/usr/bin/env bash
# A single-node Slurm cluster for CI, and the integration test that runs a
# reesim sweep on it as a job array with a dependent merge job. The recipe
# and its pitfalls are in the project's notes on Slurm (shared/notes/slurm.md).
#
#   scripts/slurm-ci.sh up      install, configure and start munge, slurmctld, slurmd
#   scripts/slurm-ci.sh down    stop them, by the PIDs recorded at start
#   scripts/slurm-ci.sh test    up, the sweep pipeline checks, down
set -euo pipefail
state=/tmp/slurm-ci
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$state"

log() { printf 'slurm-ci: %s\n' "$*"; }

# until SECONDS CMD...: retry CMD for up to SECONDS.
until_ok() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then
      log "timed out after ${limit}s waiting for: $*"
      return 1
    fi
    sleep 0.5
  done
}

start() { # start NAME CMD...: run a daemon in its own session, record its PID
  local name=$1; shift
  setsid "$@" >"$state/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
}

up() {
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurm and munge"
    for try in 1 2 3; do
      if apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >"$state/apt.log" 2>&1; then
        break
      fi
      [[ $try == 3 ]] && { cat "$state/apt.log"; return 1; }
      apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1 || true
    done
  fi
  local host
  host=$(hostname -s)
  mkdir -p /run/munge "$state/spool" "$state/state"
  chown munge:munge /run/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  start munged setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F
  until_ok 20 sh -c 'munge -n | unmunge'
  local node
  node=$(slurmd -C | head -n 1 | sed 's/ UpTime=.*//')
  mkdir -p /etc/slurm
  cat >/etc/slurm/slurm.conf <<CONF
ClusterName=reesim-ci
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MailProg=/bin/true
ReturnToService=2
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmctldPidFile=$state/slurmctld.pidfile
SlurmdPidFile=$state/slurmd.pidfile
SlurmdSpoolDir=$state/spool
StateSaveLocation=$state/state
SlurmctldLogFile=$state/slurmctld.daemon.log
SlurmdLogFile=$state/slurmd.daemon.log
MinJobAge=300
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  start slurmctld slurmctld -D
  start slurmd slurmd -D -N "$host"
  until_ok 30 sh -c 'scontrol ping | grep -q UP'
  until_ok 30 sh -c "sinfo -h -N -o %t | grep -qx idle"
  local probe
  probe=$(timeout 30 srun echo probe-ok 2>&1 || true)
  if [[ $probe != probe-ok ]]; then
    log "srun probe failed: $probe"
    return 1
  fi
  log "up: $(sinfo -h -N -o '%N %t %c cpus')"
}

down() {
  local name pid
  for name in slurmd slurmctld munged; do
    [[ -f $state/$name.pid ]] || continue
    pid=$(cat "$state/$name.pid")
    # Only signal the process if it is still that daemon.
    if [[ -r /proc/$pid/comm ]] && grep -q "${name%d}" "/proc/$pid/comm"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 20); do [[ -e /proc/$pid ]] || break; sleep 0.5; done
      [[ -e /proc/$pid ]] && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$state/$name.pid"
  done
  log "down"
}

job_state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2; }

test_pipeline() {
  trap down EXIT
  up
  local bin=$state/bin/reesim work=$state/work
  rm -rf "$work" && mkdir -p "$work" "$(dirname "$bin")"
  (cd "$root" && go build -o "$bin" ./cmd/reesim)
  cat >"$work/sweep.yaml" <<'SWEEP'
scenario: truce90
trials: 64
seed: 2
design: oat
params:
  - {path: events.truce.renewal.probability, min: 0.3, max: 0.95}
  - {path: consumers.us-users.inventory.dy, values: [30d, 90d, 180d]}
outputs:
  - {material: dy}
SWEEP
  export REESIM=$bin
  log "4-task sweep array with an afterok merge"
  local jid mid
  jid=$(sbatch --parsable --chdir="$work" --array=0-3%2 "$root/examples/slurm/sweep.sbatch" "$work/sweep.yaml" "$work/out")
  mid=$(sbatch --parsable --chdir="$work" --dependency=afterok:"$jid" --wait "$root/examples/slurm/merge.sbatch" "$work/out") || true
  mid=${mid%%;*}
  if [[ $(job_state "$mid") != COMPLETED ]]; then
    log "merge job $mid ended $(job_state "$mid")"; tail -n 20 "$work"/*.out || true; return 1
  fi
  "$bin" sweep "$work/sweep.yaml" --out "$work/whole" --quiet >/dev/null
  for f in points.csv points.json indices.csv; do
    if ! cmp -s "$work/out/merged/$f" "$work/whole/$f"; then
      log "merged $f differs from the unsharded sweep's"; return 1
    fi
  done
  log "merged result equals the unsharded sweep"

  log "a shard forced to fail"
  mkdir -p "$work/bad"
  : >"$work/bad/shard-2" # a file where shard 2 must create its directory
  jid=$(sbatch --parsable --chdir="$work" --array=0-3 "$root/examples/slurm/sweep.sbatch" "$work/sweep.yaml" "$work/bad")
  if sbatch --chdir="$work" --array=0-0 --dependency=afterany:"$jid" --wait --wrap=true >/dev/null 2>&1; then :; fi
  mid=$(sbatch --parsable --chdir="$work" --dependency=afterok:"$jid" "$root/examples/slurm/merge.sbatch" "$work/bad")
  until_ok 60 sh -c "scontrol show job $mid | grep -Eq 'JobState=(CANCELLED|FAILED|COMPLETED)|DependencyNeverSatisfied'"
  local st
  st=$(job_state "$mid")
  if [[ $st == COMPLETED ]]; then
    log "the merge ran although shard 2 failed"; return 1
  fi
  scancel "$mid" 2>/dev/null || true
  local rc=0
  "$bin" merge "$work"/bad/shard-* --out "$work/bad/merged" --no-plots >"$work/bad-merge.log" 2>&1 || rc=$?
  if [[ $rc != 2 ]]; then
    log "reesim merge of an incomplete set of shards exited $rc, want 2: $(cat "$work/bad-merge.log")"; return 1
  fi
  if [[ -e $work/bad/merged ]]; then
    log "a refused merge wrote output"; return 1
  fi
  log "failed shard: merge job $st, reesim merge refused: $(grep -m 1 '^reesim:' "$work/bad-merge.log")"
  log "ok"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  test) test_pipeline ;;
  *) echo "usage: $0 up|down|test" >&2; exit 2 ;;
esac
