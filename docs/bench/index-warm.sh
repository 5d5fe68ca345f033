#!/usr/bin/env bash
# index-warm.sh — time the commands that read through the index on a generated repository of
# N records with a warm cache, whole process: `gitsm index` (refresh only), `gitsm validate`
# after one record file changed, and `gitsm list incident --where state=in_progress`.
#
#   docs/bench/index-warm.sh                  # 100,000 records, 10 runs each
#   N=20000 RUNS=5 docs/bench/index-warm.sh
#
# Needs go, git and hyperfine (apt-get install hyperfine). Prints the hyperfine summaries; the
# figures in docs/benchmarks.md come from it. The cold index build alone takes 10-40 s at
# 100,000 records; the rest a minute or two. Not part of `make test`.
set -euo pipefail

N=${N:-100000}
RUNS=${RUNS:-10}
SEED=${SEED:-1}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-index-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work" >&2; fi
log() { echo "== $*" >&2; }

log "building gitsm and benchgen"
(cd "$root" && go build -o "$work/gitsm" ./cmd/gitsm)
(cd "$root" && go build -o "$work/benchgen" ./internal/benchgen/cmd/benchgen)

repo=$work/records
log "generating $N records"
"$work/benchgen" -n "$N" -seed "$SEED" "$repo" >&2
git -C "$repo" init -q
victim=$(cd "$repo" && find incidents -name '*.yaml' | sort | awk 'NR == 1')

g="$work/gitsm -C $repo"
log "cold index build"
/usr/bin/time -f "cold: %e s wall, %U s user, %S s system, %M KB max RSS" $g index
ls -l "$repo/.git/gitsm/" >&2

log "warm runs (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
hyperfine -N --warmup 2 --runs "$RUNS" "$g index -q"
# Each validate run starts with one changed file: a comment line appended to $victim.
hyperfine --warmup 2 --runs "$RUNS" --prepare "echo '# edited' >> $repo/$victim" "$g validate -q"
hyperfine -N --warmup 2 --runs "$RUNS" "$g list incident --where state=in_progress"
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
