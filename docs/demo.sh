#!/usr/bin/env sh
# make demo: `gitsm demo` makes a records repository with a year of history from examples/ in a
# temp folder, and every gitsm command is run on it, then on a pull-request branch. Needs only the
# gitsm binary ($GITSM) and git.
set -eu
GITSM=${GITSM:-gitsm}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-demo.XXXXXX")
dir="$tmp/repo"
export GIT_AUTHOR_NAME="Grace Hopper" GIT_AUTHOR_EMAIL=grace@northwind.example
export GIT_COMMITTER_NAME="Grace Hopper" GIT_COMMITTER_EMAIL=grace@northwind.example
unset GITHUB_TOKEN GITHUB_EVENT_PATH 2>/dev/null || true

step() { printf '\n\033[1m$ gitsm %s\033[0m\n' "$*"; "$GITSM" -C "$dir" "$@"; }
try() { printf '\n\033[1m$ gitsm %s\033[0m   (expected to fail)\n' "$*"; if "$GITSM" -C "$dir" "$@"; then echo "unexpected success" >&2; exit 1; else echo "(exit $?)"; fi; }
# exits: a command whose exit code tells something (audit exits 1 when it finds violations).
exits() { printf '\n\033[1m$ gitsm %s\033[0m\n' "$*"; if "$GITSM" -C "$dir" "$@"; then echo "(exit 0)"; else echo "(exit $?)"; fi; }
# has: whether this gitsm has the command (history, audit and report arrive in later versions).
has() { "$GITSM" "$1" --help >/dev/null 2>&1; }

printf '\033[1m$ gitsm demo %s\033[0m\n' "$dir"
"$GITSM" demo "$dir"
git -C "$dir" --no-pager log --oneline --graph -12
# The approval evidence on the merge that scheduled a normal change, as `git notes` shows it.
git -C "$dir" --no-pager log --first-parent -1 --notes=gitsm --grep 'Schedule CHG-000003' --format='%n%h %s%n%N' | head -36

step validate
step validate --format json -q | head -6
step index
step list incident --where state=on_hold
step list change --where type=emergency --sort -planned_start --limit 3 --format csv
step show INC-000014
step impact orders-db --depth 2

# The auditor's view: one record's history, the audit of main, the reports.
if has history; then
	step history INC-000014
	step history CHG-000014 --format json | head -30
fi
if has audit; then
	exits audit
	exits audit --since 2026-11-01 --format markdown
fi
if has report; then
	step report all --as-of 2026-12-15T00:00:00Z
fi

# A pull request: an incident is opened and worked, a change is scheduled.
git -C "$dir" checkout -q -b pr/checkout-502
inc=$("$GITSM" -C "$dir" new incident --title "Checkout returns 502 for a third of requests" \
	--set impact=1 --set urgency=2 --set service=checkout --set cis=checkout-api --at 2026-11-22T09:00:00Z)
id=$(basename "$inc" .yaml)
step transition "$id" in_progress --at 2026-11-22T09:04:00Z --note "paged the on-call engineer"
step set "$id" assignee=frank assignment_group=shop-sre
try transition "$id" closed
step transition "$id" resolved --at 2026-11-22T09:40:00Z \
	--set resolution.code=solved_workaround --set "resolution.notes=Rolled checkout-api back to 2.31.0"
git -C "$dir" --no-pager diff --stat
step transition CHG-000014 scheduled --at 2026-11-22T10:00:00Z \
	--set planned_start=2026-12-13T01:00:00+01:00 --set planned_end=2026-12-13T02:00:00+01:00
git -C "$dir" add -A
git -C "$dir" commit -q -m "INC: checkout 502; schedule CHG-000014"
step validate --base main
step approval plan --base main
try approval check --base main --head HEAD --pr 1

# A stale branch: pr/chg-14-window starts from main, then main merges pr/checkout-502 (which
# schedules CHG-000014). The branch lengthens CHG-000014's window: against its branch point that
# needs no approval, but merged into main as it is now it widens an approved change. The plan
# refuses until the branch is updated.
git -C "$dir" checkout -q -b pr/chg-14-window main
step set CHG-000014 planned_end=2026-12-13T09:00:00+01:00 cis+=checkout-api
git -C "$dir" commit -q -am "CHG-000014: a longer window, and checkout-api too"
git -C "$dir" checkout -q main
git -C "$dir" merge -q --no-ff -m "Merge pull request #1 from shop/pr/checkout-502" pr/checkout-502
git -C "$dir" checkout -q pr/chg-14-window
try approval plan --base main

echo
echo "gitsm init, on an empty folder:"
fresh="$tmp/fresh"
"$GITSM" init "$fresh"
"$GITSM" -C "$fresh" validate
echo
echo "The demo repositories stay in $tmp; remove it when done."
