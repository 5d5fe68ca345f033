#!/usr/bin/env bash
# import.sh — time `gitsm import servicenow` on the public ServiceNow event log (120,000 rows,
# 20,769 incidents), whole process, beside the git CLI storing the same files: `git add -A &&
# git commit` of the records the import wrote, in a fresh repository (the part of the import
# that is git's own work). Also the re-import of the same file (it must change nothing) and,
# when this gitsm has it, a cold `gitsm report incidents` over the result.
#
#   docs/bench/import.sh                        # 3 runs each
#   RUNS=5 EXPORT=path/to/incident_event_log.csv.zip docs/bench/import.sh
#   ROWS=20000 RUNS=1 docs/bench/import.sh     # only the first 20,000 rows of the export
#
# Needs go, git and GNU time at /usr/bin/time. The export is $EXPORT, else
# shared/data/servicenow/incident_event_log.csv.zip beside the clone (or beside the main checkout
# of a git worktree); without it the script says
# so and stops (exit 0). With BENCH_TABLE set it appends its rows there for `make bench`
# (docs/bench/lib.sh); BENCH_SCALE=small: the first 20,000 rows, 1 run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_scale ROWS=20000 RUNS=1
bench_need /usr/bin/time "install GNU time (apt-get install -y time)"

RUNS=${RUNS:-3}
ROWS=${ROWS:-} # the first ROWS rows of the export only; empty: all
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${EXPORT:-}" ]; then
	# beside the clone, or beside the main checkout when this is a git worktree
	EXPORT=$(dirname "$root")/shared/data/servicenow/incident_event_log.csv.zip
	main=$(dirname "$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$root/.git")")
	[ -f "$EXPORT" ] || EXPORT=$(dirname "$main")/shared/data/servicenow/incident_event_log.csv.zip
fi
if [ ! -f "$EXPORT" ]; then
	echo "no ServiceNow export at $EXPORT; set EXPORT to run the import benchmark" >&2
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-import-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work" >&2; fi
log() { echo "== $*" >&2; }
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

what="all rows"
if [ -n "$ROWS" ]; then
	log "taking the first $ROWS rows of $EXPORT"
	case $EXPORT in
	*.zip) { unzip -p "$EXPORT" || true; } ;;
	*.gz) { zcat "$EXPORT" || true; } ;;
	*) { cat "$EXPORT" || true; } ;;
	esac | head -n "$((ROWS + 1))" >"$work/export.csv"
	EXPORT=$work/export.csv
	what="first $ROWS rows"
fi

log "building gitsm"
(cd "$root" && go build -o "$work/gitsm" ./cmd/gitsm)
g=$work/gitsm

# median of the numbers on stdin
median() { bench_median; }
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
	# No automatic gc: after 20,000 loose objects git would start one in the background,
	# outside the peer's timing but inside the next measurement's.
	git -C "$work/g" config gc.auto 0
	secs sh -c "cd '$work/g' && git add -A && git commit -q -m import" >>"$work/git"
	if "$g" report --help >/dev/null 2>&1; then
		# Cold means no index cache, not a disk still writing back the two copies above.
		rm -rf "$work/r/.git/gitsm"
		sync
		secs "$g" -C "$work/r" report incidents --format json >>"$work/report"
	fi
done
imp=$(median <"$work/import"); re=$(median <"$work/reimport"); gitm=$(median <"$work/git"); rss=$(sort -n "$work/rss" | tail -1)
echo
echo "| command | median (s) | runs |"
echo "|---|---|---|"
echo "| gitsm import servicenow ($what, fresh repository) | $imp | $RUNS |"
echo "| git add -A && git commit of the same files | $gitm | $RUNS |"
echo "| gitsm import servicenow again (no change, no commit) | $re | $RUNS |"
if [ -s "$work/report" ]; then
	rep=$(median <"$work/report")
	echo "| gitsm report incidents, cold (no index cache) | $rep | $RUNS |"
fi
echo
echo "peak RSS of the import: $((rss / 1024)) MiB; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_row "gitsm import servicenow ($what)" "$imp" "git add -A && git commit, same files" "$gitm"
bench_row "gitsm import servicenow again, no change" "$re"
[ -z "${rep:-}" ] || bench_row "gitsm report incidents, cold (import)" "$rep"
