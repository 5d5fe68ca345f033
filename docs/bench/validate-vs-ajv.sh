#!/usr/bin/env bash
# validate-vs-ajv.sh — time `gitsm validate` against ajv-cli on the same generated records and
# the same JSON Schemas, whole process against whole process, on the same cores.
#
#   docs/bench/validate-vs-ajv.sh            # 20,000 and 100,000 records, 5 and 3 runs
#   RUNS=3 SMALL=5000 LARGE=0 docs/bench/validate-vs-ajv.sh
#
# Needs go, node and npm (ajv-cli and ajv-formats are installed into a temp folder), GNU time at
# /usr/bin/time, and taskset to hold both tools to CORES cores. Prints a Markdown report; the
# figures in docs/benchmarks.md come from it. It takes a few minutes and is not part of
# `make test`. With BENCH_TABLE set (`make bench`) it appends its rows there (docs/bench/lib.sh);
# BENCH_SCALE=small: 2,000 records, 3 runs, no scale run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_scale SMALL=2000 LARGE=0 RUNS=3
bench_need node "install Node.js and npm (apt-get install -y nodejs npm)"
bench_need npm "install npm (apt-get install -y npm)"
bench_need taskset "install util-linux"
bench_need /usr/bin/time "install GNU time (apt-get install -y time)"

SMALL=${SMALL:-20000}     # records for the side-by-side comparison
LARGE=${LARGE:-100000}    # records for the scale run (0 skips it)
RUNS=${RUNS:-5}           # timed runs per measurement, after one untimed warm-up
LARGE_RUNS=${LARGE_RUNS:-3}
CORES=${CORES:-2}
SEED=${SEED:-1}
AJV_CLI=${AJV_CLI:-ajv-cli@5.0.0}
AJV_FORMATS=${AJV_FORMATS:-ajv-formats@3.0.1}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work" >&2; fi

log() { echo "== $*" >&2; }

cpus=$(seq -s, 0 $((CORES - 1)))
pin=(taskset -c "$cpus")
if [ "$(nproc --all)" -lt "$CORES" ]; then
	echo "this machine has $(nproc --all) cores, fewer than CORES=$CORES" >&2
	exit 2
fi

log "building gitsm"
(cd "$root" && go build -o "$work/gitsm" ./cmd/gitsm)
(cd "$root" && go build -o "$work/benchgen" ./internal/benchgen/cmd/benchgen)

log "installing $AJV_CLI and $AJV_FORMATS into $work/npm"
npm install --silent --no-audit --no-fund --prefix "$work/npm" "$AJV_CLI" "$AJV_FORMATS" >&2
ajv=$work/npm/node_modules/.bin/ajv
formats=$work/npm/node_modules/ajv-formats
mkdir -p "$work/schemas"
cp "$root"/schemas/*.json "$work/schemas/"

# The ajv-cli run of one kind: its schema, defs.json for the $refs, every file of its folder.
cat > "$work/ajv-kind.sh" <<EOF
#!/bin/sh
# usage: ajv-kind.sh SCHEMA FOLDER (in the records repository)
exec "$ajv" validate --spec=draft2020 --strict=false --errors=line -c "$formats" \\
	-s "$work/schemas/\$1.json" -r "$work/schemas/defs.json" -d "\$2/**/*.yaml" >/dev/null
EOF
chmod +x "$work/ajv-kind.sh"
kinds="incident:incidents problem:problems change:changes ci:cis sla:slas calendar:calendars"

cat > "$work/ajv-seq.sh" <<EOF
#!/bin/sh
# Every kind one after the other, as a CI job calling ajv-cli would.
set -e
for k in $kinds; do "$work/ajv-kind.sh" "\${k%%:*}" "\${k##*:}"; done
EOF
cat > "$work/ajv-par.sh" <<EOF
#!/bin/sh
# The kinds $CORES at a time, so that ajv-cli, which is single-threaded, gets the cores too.
set -e
printf '%s\n' $kinds | xargs -P $CORES -n 1 sh -c 'exec "$work/ajv-kind.sh" "\${0%%:*}" "\${0##*:}"'
EOF
cat > "$work/gitsm.sh" <<EOF
#!/bin/sh
exec "$work/gitsm" validate -q >/dev/null
EOF
chmod +x "$work"/*.sh

median() {
	sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# measure DIR RUNS SCRIPT... — runs each script in DIR once untimed, then RUNS rounds of each
# script in turn under GNU time (taking turns, so that both tools meet the same background
# load), and leaves "median-wall median-cpu max-rss-MiB" (seconds, seconds, MiB) of script i
# in $work/result.i.
measure() {
	local dir=$1 runs=$2
	shift 2
	local i
	for cmd in "$@"; do
		(cd "$dir" && "${pin[@]}" "$cmd") || { echo "$cmd failed on $dir" >&2; exit 1; }
	done
	i=0
	for cmd in "$@"; do : > "$work/times.$i"; i=$((i + 1)); done
	for _ in $(seq "$runs"); do
		i=0
		for cmd in "$@"; do
			(cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$work/t" "${pin[@]}" "$cmd")
			cat "$work/t" >> "$work/times.$i"
			i=$((i + 1))
		done
	done
	i=0
	for cmd in "$@"; do
		printf '%s %s %s\n' \
			"$(awk '{ print $1 }' "$work/times.$i" | median)" \
			"$(awk '{ print $2 + $3 }' "$work/times.$i" | median)" \
			"$(awk '{ print int($4 / 1024) }' "$work/times.$i" | sort -n | tail -1)" > "$work/result.$i"
		log "$(basename "$cmd") on $dir: wall user sys rss(KiB) per run: $(tr '\n' ';' < "$work/times.$i")"
		i=$((i + 1))
	done
}

generate() {
	local n=$1 dir=$work/records-$1
	log "generating $n records in $dir"
	"$work/benchgen" -n "$n" -seed "$SEED" "$dir" >&2
	echo "$dir"
}

files() { find "$1" -name '*.yaml' -not -path '*/.gitsm/*' | wc -l; }

row() { # row TOOL RECORDS "wall cpu rss"
	set -- "$1" "$2" $3
	awk -v t="$1" -v n="$2" -v w="$3" -v c="$4" -v r="$5" \
		'BEGIN { printf "| %s | %d | %.2f s | %.2f s | %.0f | %d MiB |\n", t, n, w, c, n / w, r }'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
small=$(generate "$SMALL")
nsmall=$(files "$small")
log "timing on $nsmall record files"
measure "$small" "$RUNS" "$work/gitsm.sh" "$work/ajv-seq.sh" "$work/ajv-par.sh"
g_small=$(cat "$work/result.0")
a_seq=$(cat "$work/result.1")
a_par=$(cat "$work/result.2")
# The same files in a git repository, where validate keeps its index cache under .git/gitsm:
# a second run re-checks only files whose fingerprint changed (none here).
git -C "$small" init -q
(cd "$small" && "$work/gitsm" validate -q)
measure "$small" "$RUNS" "$work/gitsm.sh"
g_warm=$(cat "$work/result.0")
if [ "$LARGE" -gt 0 ]; then
	large=$(generate "$LARGE")
	nlarge=$(files "$large")
	measure "$large" "$LARGE_RUNS" "$work/gitsm.sh" "$work/ajv-par.sh"
	g_large=$(cat "$work/result.0")
	a_large=$(cat "$work/result.1")
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b / a }'; }
wall() { echo "$1" | cut -d' ' -f1; }

cat <<EOF
Machine: $(nproc --all) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), \
$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr); \
both tools pinned to $CORES cores (\`${pin[*]}\`); load average $load_before before, $load_after after.
Versions: $(cd "$root" && go version | cut -d' ' -f3), node $(node --version), $AJV_CLI, $AJV_FORMATS. \
Median of $RUNS runs ($LARGE_RUNS for $LARGE records), the tools taking turns, after a warm-up run; warm file cache.

| tool | record files | wall (median) | user+sys | records/s | peak RSS |
|---|---|---|---|---|---|
$(row "gitsm validate" "$nsmall" "$g_small")
$(row "ajv-cli, kinds one after the other" "$nsmall" "$a_seq")
$(row "ajv-cli, kinds $CORES at a time" "$nsmall" "$a_par")
$(row "gitsm validate, index cache warm" "$nsmall" "$g_warm")
EOF
if [ "$LARGE" -gt 0 ]; then
	row "gitsm validate" "$nlarge" "$g_large"
	row "ajv-cli, kinds $CORES at a time" "$nlarge" "$a_large"
fi
cat <<EOF

gitsm's throughput on $nsmall files is $(ratio "$(wall "$g_small")" "$(wall "$a_seq")")× ajv-cli's run kind after kind \
and $(ratio "$(wall "$g_small")" "$(wall "$a_par")")× ajv-cli's run $CORES kinds at a time.
EOF
bench_row "gitsm validate ($nsmall files)" "$(wall "$g_small")" "ajv-cli, kinds one after the other" "$(wall "$a_seq")"
bench_row "gitsm validate ($nsmall files)" "$(wall "$g_small")" "ajv-cli, kinds $CORES at a time" "$(wall "$a_par")"
bench_row "gitsm validate, index warm ($nsmall files)" "$(wall "$g_warm")" "ajv-cli, kinds $CORES at a time" "$(wall "$a_par")"
if [ "$LARGE" -gt 0 ]; then
	bench_row "gitsm validate ($nlarge files)" "$(wall "$g_large")" "ajv-cli, kinds $CORES at a time" "$(wall "$a_large")"
fi
