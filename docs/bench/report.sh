#!/usr/bin/env bash
# report.sh — time `gitsm report all` on a generated repository of N records (60 % incidents
# with timelines, 10 % problems, 30 % changes): cold (no index cache) against a cold
# `gitsm validate`, then warm, whole process, with peak memory.
#
#   docs/bench/report.sh                     # 100,000 records, 5 warm runs per format
#   N=20000 RUNS=3 docs/bench/report.sh
#   REPO=/tmp/records docs/bench/report.sh   # reuse a repository benchgen wrote before
#
# Needs go and git; uses GNU time (/usr/bin/time) for wall, CPU and max RSS. Prints one line
# per run and the median of the warm runs. Not part of `make test`. With BENCH_TABLE set
# (`make bench`) it appends its rows there (docs/bench/lib.sh); BENCH_SCALE=small: 2,000
# records, 3 runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_scale N=2000 RUNS=3

N=${N:-100000}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
ASOF=${ASOF:-2026-01-01T00:00:00Z}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-report-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
log() { echo "== $*" >&2; }

log "building gitsm and benchgen"
(cd "$root" && go build -o "$work/gitsm" ./cmd/gitsm)
(cd "$root" && go build -o "$work/benchgen" ./internal/benchgen/cmd/benchgen)

repo=${REPO:-$work/records}
if [ ! -d "$repo/.gitsm" ]; then
  log "generating $N records"
  "$work/benchgen" -n "$N" -seed "$SEED" "$repo" >&2
fi
[ -e "$repo/.git" ] || git -C "$repo" init -q

g="$work/gitsm -C $repo"
t() { /usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB max RSS" "$@" 2>&1 >/dev/null | tail -1; }
log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

rm -rf "$repo/.git/gitsm"
cold_validate=$(t $g validate -q || true)
echo "cold validate:      $cold_validate"
rm -rf "$repo/.git/gitsm"
cold_report=$(t $g report all --as-of "$ASOF" -q)
echo "cold report all:    $cold_report"
bench_row "gitsm report all, cold ($N records)" "${cold_report%% s wall*}" "gitsm validate, cold" "${cold_validate%% s wall*}"

for format in text json html; do
  walls=()
  for _ in $(seq "$RUNS"); do
    line=$(t $g report all --as-of "$ASOF" --format "$format" -q)
    echo "warm report $format: $line"
    walls+=("${line%% s wall*}")
  done
  median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  echo "warm report $format: median $median s wall over $RUNS runs"
  bench_row "gitsm report all --format $format, warm" "$median"
done
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
