#!/usr/bin/env bash
# import.sh — time `gitsm import servicenow` on the public ServiceNow event log (120,000 rows,
# 20,769 incidents), whole process, beside the git CLI storing the same files: `git add -A &&
# git commit` of the records the import wrote, in a fresh repository (the part of the import
# that is git's own work). Also the re-import of the same file (it must change nothing) and,
# when this gitsm has it, a cold `gitsm report incidents` over the result.
#
#   docs/bench/import.sh                        # 3 runs each
#   RUNS=5 EXPORT=path/to/incident_event_log.csv.zip docs/bench/import.sh
#
# Needs go, git and GNU time at /usr/bin/time. The export is $EXPORT, else
# shared/data/servicenow/incident_event_log.csv.zip beside the clone; without it the script says
# so and stops (exit 0). With BENCH_TABLE set it appends its rows there for `make bench`.
set -euo pipefail

RUNS=${RUNS:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
EXPORT=${EXPORT:-$(dirname "$root")/shared/data/servicenow/incident_event_log.csv.zip}
if [ ! -f "$EXPORT" ]; then
	echo "no ServiceNow export at $EXPORT; set EXPORT to run the import benchmark" >&2
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-import-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work" >&2; fi
log() { echo "== $*" >&2; }
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

log "building gitsm"
(cd "$root" && go build -o "$work/gitsm" ./cmd/gitsm)
g=$work/gitsm

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# secs CMD...: wall seconds of one run; GNU time's report goes to $work/time
secs() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }; cut -d' ' -f1 "$work/time"; }

log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/import" ; : >"$work/reimport"; : >"$work/git"; : >"$work/rss"; : >"$work/report"
for i in $(seq "$RUNS"); do
	rm -rf "$work/r" "$work/g"
	secs "$g" import servicenow "$EXPORT" --into "$work/r" -q >>"$work/import"
	cut -d' ' -f2 "$work/time" >>"$work/rss"
	secs "$g" import servicenow "$EXPORT" --into "$work/r" -q >>"$work/reimport"
	if [ -n "$(git -C "$work/r" status --porcelain)" ] || [ "$(git -C "$work/r" rev-list --count HEAD)" != 1 ]; then
		echo "the re-import changed the repository" >&2
		exit 1
	fi
	mkdir "$work/g"
	(cd "$work/r" && git ls-files -z | xargs -0 cp --parents -t "$work/g")
	git -C "$work/g" init -q
	secs sh -c "cd '$work/g' && git add -A && git commit -q -m import" >>"$work/git"
	if "$g" report --help >/dev/null 2>&1; then
		rm -rf "$work/r/.git/gitsm"
		secs "$g" -C "$work/r" report incidents --format json >>"$work/report"
	fi
done
imp=$(median <"$work/import"); re=$(median <"$work/reimport"); gitm=$(median <"$work/git"); rss=$(sort -n "$work/rss" | tail -1)
echo
echo "| command | median (s) | runs |"
echo "|---|---|---|"
echo "| gitsm import servicenow (full log, fresh repository) | $imp | $RUNS |"
echo "| git add -A && git commit of the same files | $gitm | $RUNS |"
echo "| gitsm import servicenow again (no change, no commit) | $re | $RUNS |"
if [ -s "$work/report" ]; then
	rep=$(median <"$work/report")
	echo "| gitsm report incidents, cold (no index cache) | $rep | $RUNS |"
fi
echo
echo "peak RSS of the import: $((rss / 1024)) MiB; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${BENCH_TABLE:-}" ]; then
	printf 'gitsm import servicenow (120k rows)\t%s\tgit add+commit, same files\t%s\n' "$imp" "$gitm" >>"$BENCH_TABLE"
	printf 'gitsm import servicenow again\t%s\t\t\n' "$re" >>"$BENCH_TABLE"
fi
