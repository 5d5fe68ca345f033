#!/usr/bin/env bash
# history-vs-git.sh — the history index and the audit against the git CLI on one generated
# repository, whole process: COMMITS commits and RECORDS records made with `git fast-import`
# (internal/benchgen/cmd/historygen), then
#   1. git log --name-status --no-renames --first-parent        (the yardstick)
#   2. gitsm history ID with no cache: the cold history index build (target ≤ 3× of 1)
#   3. gitsm history ID after one new commit: the incremental update (target < 0.3 s)
#   4. gitsm history ID, warm                                     (target < 0.2 s)
#   5. gitsm audit --since <one month before the tip>, warm     (target < 0.2 s)
# each with wall time and peak memory (target < 1 GiB).
#
#   docs/bench/history-vs-git.sh                      # 20,000 commits, 50,000 records
#   COMMITS=2000 RECORDS=5000 RUNS=3 docs/bench/history-vs-git.sh
#   REPO=/tmp/kept/records docs/bench/history-vs-git.sh   # reuse a repository kept with KEEP=1
#
# Needs go, git and GNU time (/usr/bin/time); uses hyperfine for the warm runs when installed.
# Not part of `make test`. With BENCH_TABLE set (`make bench`) it appends its rows there
# (docs/bench/lib.sh); BENCH_SCALE=small: 2,000 commits, 5,000 records, 3 runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_scale COMMITS=2000 RECORDS=5000 RUNS=3

COMMITS=${COMMITS:-20000}
RECORDS=${RECORDS:-50000}
RUNS=${RUNS:-5}
SEED=${SEED:-1}

export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-history-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work" >&2; fi
log() { echo "== $*" >&2; }
timed() { # label command...: wall time and peak RSS of one run
	local label=$1; shift
	/usr/bin/time -o "$work/t" -f "$label: %e s wall, %U s user, %S s system, %M KB max RSS" "$@" >/dev/null || true
	cat "$work/t" >&2
	sed -n "s/^$label: \([0-9.]*\) s wall.*/$label\t\1/p" "$work/t" >>"$work/timed"
}
median() { # label runs command...: median wall time of several runs
	local label=$1 runs=$2; shift 2
	local ts=()
	for _ in $(seq "$runs"); do
		local s e
		s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
		ts+=("$(echo "$e - $s" | bc)")
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk -v l="$label" '{a[NR]=$1} END {printf "%s: median %.3f s of %d runs (min %.3f, max %.3f)\n", l, (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), NR, a[1], a[NR]}' | tee -a "$work/medians" >&2
}

log "building gitsm and historygen"
(cd "$root" && go build -o "$work/gitsm" ./cmd/gitsm)
(cd "$root" && go build -o "$work/historygen" ./internal/benchgen/cmd/historygen)

repo=${REPO:-$work/records}
if [ -z "${REPO:-}" ]; then
	log "generating $COMMITS commits, $RECORDS records with git fast-import"
	git init -q -b main "$repo"
	"$work/historygen" -commits "$COMMITS" -records "$RECORDS" -seed "$SEED" | git -C "$repo" fast-import --quiet
	git -C "$repo" repack -adq
	git -C "$repo" symbolic-ref HEAD refs/heads/main
	git -C "$repo" tag bench-start
else
	# A kept repository: back to the generated tip, without the commits an earlier run added.
	git -C "$repo" update-ref refs/heads/main "$(git -C "$repo" rev-parse bench-start 2>/dev/null || git -C "$repo" rev-parse main)"
fi
echo "commits: $(git -C "$repo" rev-list --count --all), first-parent: $(git -C "$repo" rev-list --count --first-parent main), records: $(git -C "$repo" ls-tree -r main | wc -l), pack: $(du -sh "$repo/.git/objects/pack" | cut -f1)" >&2
id=$(git -C "$repo" ls-tree -r --name-only main incidents | sed -n '1000p' | xargs basename | sed 's/\.yaml$//')
tip=$(git -C "$repo" log -1 --format=%ct main)
since=$(date -u -d "@$((tip - 30 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
g="$work/gitsm -C $repo -q"

log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
log "1. git log --name-status --no-renames --first-parent (3 runs)"
for _ in 1 2 3; do timed "git log" git -C "$repo" log --name-status --no-renames --first-parent main; done
median "git log" 3 git -C "$repo" log --name-status --no-renames --first-parent main

log "2. cold history index build: gitsm history $id with no cache (3 runs)"
for _ in 1 2 3; do rm -f "$repo/.git/gitsm/"*.cache; timed "cold history" $g history "$id"; done
ls -l "$repo/.git/gitsm/" >&2

log "3. one new commit, then gitsm history $id (3 runs)"
for i in 1 2 3; do
	blob=$(printf 'apiVersion: gitsm/v1\nkind: CI\nid: bench-%s\n' "$i" | git -C "$repo" hash-object -w --stdin)
	tree=$( (git -C "$repo" ls-tree main; printf '100644 blob %s\tbench-%s.yaml\n' "$blob" "$i") | git -C "$repo" mktree)
	commit=$(echo "one more" | git -C "$repo" commit-tree "$tree" -p main)
	git -C "$repo" update-ref refs/heads/main "$commit"
	timed "update after one commit" $g history "$id"
done

log "4. warm gitsm history $id"
timed "warm history" $g history "$id"
median "warm history" "$RUNS" $g history "$id"

log "5. warm gitsm audit --since $since"
timed "warm audit" $g audit --since "$since"
median "warm audit --since" "$RUNS" $g audit --since "$since"
$g audit --since "$since" --format json 2>/dev/null | head -c 400 >&2 || true
echo >&2
# the rows of `make bench`: medians of the timed runs above, against git log's
tm() { awk -F '\t' -v l="$1" '$1 == l { print $2 }' "$work/timed" | bench_median; }
md() { sed -n "s/^$1: median \([0-9.]*\) s.*/\1/p" "$work/medians"; }
gl=$(md "git log")
bench_row "gitsm history, cold ($COMMITS commits)" "$(tm "cold history")" "git log --name-status --first-parent" "$gl"
bench_row "gitsm history, after 1 new commit" "$(tm "update after one commit")" "git log --name-status --first-parent" "$gl"
bench_row "gitsm history, warm" "$(md "warm history")" "git log --name-status --first-parent" "$gl"
bench_row "gitsm audit --since, warm" "$(md "warm audit --since")" "git log --name-status --first-parent" "$gl"
