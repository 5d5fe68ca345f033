#!/usr/bin/env bash
# index-warm.sh — time the commands that read through the index on a generated repository of
# N records with a warm cache, whole process: `gitsm index` (refresh only), `gitsm validate`
# after one record file changed, and `gitsm list incident --where state=in_progress`, beside
# what reads the same tree without gitsm's index: `git status --porcelain -uall` (a walk of the
# tree; the repository has no commit) and `grep -rl '^state: in_progress' incidents`.
#
#   docs/bench/index-warm.sh                  # 100,000 records, 10 runs each
#   N=20000 RUNS=5 docs/bench/index-warm.sh
#
# Needs go, git and GNU time at /usr/bin/time; uses hyperfine when it is installed (apt-get
# install -y hyperfine). Prints the hyperfine summaries; the figures in docs/benchmarks.md come
# from it. With BENCH_TABLE set (`make bench`) it appends its rows there (docs/bench/lib.sh);
# BENCH_SCALE=small: 2,000 records, 3 runs. The cold index build alone takes 10-40 s at
# 100,000 records; the rest a minute or two. Not part of `make test`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_scale N=2000 RUNS=3

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
index=$(bench_time "gitsm index -q" "$RUNS" "" "$g index -q")
status=$(bench_time "git status -uall" "$RUNS" "" "git -C $repo status --porcelain -uall")
# Each validate run starts with one changed file: a comment line appended to $victim.
validate=$(bench_time "gitsm validate -q" "$RUNS" "echo '# edited' >> $repo/$victim" "$g validate -q")
list=$(bench_time "gitsm list" "$RUNS" "" "$g list incident --where state=in_progress")
grep=$(bench_time "grep -rl" "$RUNS" "" "cd $repo && grep -rl '^state: in_progress' incidents")
bench_row "gitsm index -q, warm ($N records)" "$index" "git status -uall, same tree" "$status"
bench_row "gitsm validate -q, 1 changed, warm" "$validate"
bench_row "gitsm list incident --where state=..." "$list" "grep -rl '^state: in_progress'" "$grep"
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
