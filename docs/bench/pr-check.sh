#!/usr/bin/env bash
# pr-check.sh — time the pull-request check a CI job runs, `gitsm validate --base origin/main`,
# on a fresh clone of the generated 100,000-record repository with a pull request that edits
# one incident, side by side with what bounds it:
#
#   A. fresh clone + .git/gitsm/ restored from an earlier run on main (what actions/cache does)
#      + `gitsm validate --base origin/main`, against `git status` on the same clone;
#   B. fresh clone without any cache: `gitsm validate --base origin/main` against a cold full
#      `gitsm validate`.
#
#   docs/bench/pr-check.sh                 # 100,000 records, 10 runs (A) and 3 runs (B)
#   N=20000 RUNS=5 COLD_RUNS=2 docs/bench/pr-check.sh
#   ONLY=A docs/bench/pr-check.sh          # A alone
#
# Needs go, git and GNU time at /usr/bin/time; uses hyperfine when it is installed
# (apt-get install -y hyperfine) and repeats /usr/bin/time runs otherwise. Peak memory comes
# from /usr/bin/time. The figures in docs/benchmarks.md come from this script. With BENCH_TABLE
# set (`make bench`) it appends its rows there (docs/bench/lib.sh); BENCH_SCALE=small: 2,000
# records, 3 runs (A) and 2 (B). Generating the
# repository and the clones takes a few minutes; not part of `make test`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_scale N=2000 RUNS=3 COLD_RUNS=2

N=${N:-100000}
RUNS=${RUNS:-10}
COLD_RUNS=${COLD_RUNS:-3}
ONLY=${ONLY:-}
SEED=${SEED:-1}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-pr-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work" >&2; fi
log() { echo "== $*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

# bench NAME RUNS PREPARE COMMAND: median wall seconds of RUNS runs, each after PREPARE.
bench() { bench_time "$@"; }

# peak NAME PREPARE COMMAND: the peak RSS of one run, in MiB.
peak() {
	sh -c "$2"
	# shellcheck disable=SC2086 # the command is words without spaces
	/usr/bin/time -f "%M" -o "$work/$1.rss" $3 >/dev/null 2>&1 || true
	awk '{printf "%.0f MiB\n", $1/1024}' "$work/$1.rss"
}

log "building gitsm and benchgen"
rev=$(git -C "$root" describe --always --dirty)
(cd "$root" && go build -o "$work/gitsm" ./cmd/gitsm)
(cd "$root" && go build -o "$work/benchgen" ./internal/benchgen/cmd/benchgen)
gitsm=$work/gitsm

log "generating $N records (seed $SEED) and the origin repository"
"$work/benchgen" -n "$N" -seed "$SEED" "$work/src" >&2
git -C "$work/src" init -q -b main
git -C "$work/src" add -A
git -C "$work/src" commit -q -m "records"
git clone -q --bare "$work/src" "$work/origin.git"

# A fresh clone with a pull request's commit checked out: one incident edited.
fresh() {
	git clone -q "file://$work/origin.git" "$1"
	local victim
	victim=$(git -C "$1" ls-files incidents | awk 'NR == 1')
	sed -i 's/^title: /title: Edited in a pull request - /' "$1/$victim"
	git -C "$1" commit -q -am "edit one incident"
}

log "the cache a run on main leaves: a full validate on a clone of main"
git clone -q "file://$work/origin.git" "$work/main"
"$gitsm" -C "$work/main" validate -q
tar -C "$work/main/.git" -cf "$work/cache.tar" gitsm
ls -l "$work/main/.git/gitsm" >&2
rm -rf "$work/main"

echo "# pr-check: $N records (seed $SEED), gitsm $rev, $(nproc) cores, $(git --version), load before: $(load)"

if [ "$ONLY" != B ]; then
log "A: fresh clone + restored .git/gitsm/"
fresh "$work/a"
# Each run starts from the cache as restored: extracted anew (new inodes and change times,
# as actions/cache gives), so that no run sees what an earlier one wrote.
restore="rm -rf $work/a/.git/gitsm && tar -C $work/a/.git -xf $work/cache.tar"
a_validate=$(bench a-validate "$RUNS" "$restore" "$gitsm -C $work/a validate -q --base origin/main")
a_rss=$(peak a-validate "$restore" "$gitsm -C $work/a validate -q --base origin/main")
a_status=$(bench a-status "$RUNS" "true" "git -C $work/a status --porcelain")
"$gitsm" -C "$work/a" validate --base origin/main >&2 || true
echo "A  validate --base, restored cache:  $a_validate s median of $RUNS; peak $a_rss"
echo "A  git status, same clone:           $a_status s median of $RUNS"
bench_row "gitsm validate --base, cache restored" "$a_validate" "git status --porcelain, same clone" "$a_status"
echo "   load after A: $(load)"
fi
[ "$ONLY" = A ] && exit 0

log "B: fresh clone without a cache"
fresh "$work/b"
nocache="rm -rf $work/b/.git/gitsm"
b_base=$(bench b-base "$COLD_RUNS" "$nocache" "$gitsm -C $work/b validate -q --base origin/main")
b_base_rss=$(peak b-base "$nocache" "$gitsm -C $work/b validate -q --base origin/main")
b_full=$(bench b-full "$COLD_RUNS" "$nocache" "$gitsm -C $work/b validate -q")
b_full_rss=$(peak b-full "$nocache" "$gitsm -C $work/b validate -q")
echo "B  validate --base, no cache:        $b_base s median of $COLD_RUNS; peak $b_base_rss"
echo "B  cold full validate, no cache:     $b_full s median of $COLD_RUNS; peak $b_full_rss"
bench_row "gitsm validate --base, no cache" "$b_base" "gitsm validate, cold, full" "$b_full"
echo "   load after B: $(load)"
