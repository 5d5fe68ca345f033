#!/usr/bin/env bash
# lib.sh — what the side-by-side scripts of docs/bench/ share. A script sources it:
#
#   . "$(dirname "$0")/lib.sh"
#   bench_scale N=2000 RUNS=3          # defaults for BENCH_SCALE=small, before the script's own
#   m=$(bench_time name RUNS PREPARE COMMAND)   # median wall seconds of COMMAND
#   bench_row "gitsm validate" "$m" "git status" "$p"
#
# bench_row appends one tab-separated line, command / median s / peer / peer's median s, to
# the file $BENCH_TABLE when it is set (`make bench` sets it), and does nothing otherwise, so
# every script still runs on its own. `make bench` then prints the rows of all scripts as one
# table with:
#
#   bash docs/bench/lib.sh table FILE
#
# BENCH_SCALE=small (empty or full: the scripts' own defaults) makes every script small enough
# that `make bench BENCH_SCALE=small` takes a few minutes: a check of the plumbing, not figures.

case ${BENCH_SCALE:-full} in
small | full) ;;
*)
	echo "BENCH_SCALE=$BENCH_SCALE: use small or full" >&2
	exit 2
	;;
esac

# bench_scale VAR=VALUE...: with BENCH_SCALE=small, sets each VAR that is not set already.
bench_scale() {
	[ "${BENCH_SCALE:-full}" = small ] || return 0
	local kv name
	for kv in "$@"; do
		name=${kv%%=*}
		[ -n "${!name:-}" ] || printf -v "$name" '%s' "${kv#*=}"
	done
}

# bench_need COMMAND HOW: stops the script (exit 2) with HOW when COMMAND is not installed.
bench_need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "$1 is not installed; $2" >&2
	exit 2
}

# bench_median: the median of the numbers on stdin, one a line.
bench_median() {
	sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# bench_time NAME RUNS PREPARE COMMAND: prints the median wall seconds of RUNS runs of the
# shell command COMMAND, each after the shell command PREPARE ("" or true for none), after one
# warm-up run. With hyperfine (its JSON export gives the median) its summary goes to stderr;
# without it (or with BENCH_NO_HYPERFINE=1), /usr/bin/time times each run. A failing COMMAND
# fails the call.
bench_time() {
	local name=$1 runs=$2 prepare=${3:-true} cmd=$4 tmp rc=0
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-bench-time.XXXXXX")
	if [ -z "${BENCH_NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
		hyperfine --style basic --warmup 1 --runs "$runs" --prepare "$prepare" \
			--export-json "$tmp/h.json" -n "$name" "$cmd" >&2 || rc=$?
		if [ "$rc" = 0 ]; then
			# the first "median" of the export is the one result's
			grep -o '"median": *[0-9.eE+-]*' "$tmp/h.json" | head -1 | sed 's/.*: *//'
		fi
	else
		if [ -z "${BENCH_NO_HYPERFINE:-}" ]; then
			echo "hyperfine is not installed (apt-get install -y hyperfine); timing $name with /usr/bin/time" >&2
		fi
		bench_need /usr/bin/time "install GNU time (apt-get install -y time)"
		local i
		sh -c "$prepare" && sh -c "$cmd" >/dev/null 2>&1 || rc=$?
		for ((i = 0; rc == 0 && i < runs; i++)); do
			sh -c "$prepare" || { rc=$?; break; }
			/usr/bin/time -f %e -a -o "$tmp/times" sh -c "$cmd" >/dev/null 2>"$tmp/err" || { rc=$?; cat "$tmp/err" >&2; }
		done
		if [ "$rc" = 0 ]; then
			echo "$name: wall seconds of $runs runs: $(tr '\n' ' ' <"$tmp/times")" >&2
			bench_median <"$tmp/times"
		fi
	fi
	rm -rf "$tmp"
	[ "$rc" = 0 ] || echo "$name failed: $cmd" >&2
	return "$rc"
}

# bench_row COMMAND MEDIAN [PEER PEER_MEDIAN]: one row of the `make bench` table (seconds).
bench_row() {
	local clean=()
	local f
	for f in "$1" "$2" "${3:-}" "${4:-}"; do clean+=("$(printf '%s' "$f" | tr '\t\n' '  ')"); done
	echo "row: ${clean[0]} ${clean[1]} s | ${clean[2]:--} ${clean[3]:+${clean[3]} s}" >&2
	[ -n "${BENCH_TABLE:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\n' "${clean[@]}" >>"$BENCH_TABLE"
}

# bench_machine: one line naming the machine and its load now (and at the start of the run,
# when BENCH_LOAD_START holds it).
bench_machine() {
	echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)${BENCH_LOAD_START:+ (at the start: $BENCH_LOAD_START)}"
}

# bench_print_table FILE: the rows of FILE as one aligned table under the machine line.
bench_print_table() {
	bench_machine
	if [ ! -s "$1" ]; then
		echo "(no rows)"
		return 0
	fi
	awk -F '\t' '
		function ratio(a, b) { return (a != "" && b != "" && b > 0) ? sprintf("%.2f", a / b) : "-" }
		function s(x) { return x == "" ? "-" : sprintf("%.3f", x) }
		NR == FNR {
			if (length($1) > w1) w1 = length($1)
			if (length($3) > w3) w3 = length($3)
			next
		}
		FNR == 1 {
			if (w1 < 7) w1 = 7
			if (w3 < 4) w3 = 4
			fmt = "%-" w1 "s  %9s  %-" w3 "s  %9s  %6s\n"
			printf fmt, "command", "median s", "peer", "peer s", "ratio"
		}
		{ printf fmt, $1, s($2), ($3 == "" ? "-" : $3), s($4), ratio($2, $4) }
	' "$1" "$1"
	echo "ratio: median / peer's median (below 1: the command is faster than its peer)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	table) bench_print_table "${2:?usage: lib.sh table FILE}" ;;
	*)
		echo "usage: bash docs/bench/lib.sh table FILE (source it from a script for the rest)" >&2
		exit 2
		;;
	esac
fi
