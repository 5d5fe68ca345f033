#!/usr/bin/env sh
# make demo: a records repository made from examples/ in a temp folder, as a git repository with a
# pull-request branch, and every gitsm command run on it. Needs only the gitsm binary ($GITSM) and git.
set -eu
GITSM=${GITSM:-gitsm}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-demo.XXXXXX")
export GIT_AUTHOR_NAME="Grace Hopper" GIT_AUTHOR_EMAIL=grace@example.com
export GIT_COMMITTER_NAME="Grace Hopper" GIT_COMMITTER_EMAIL=grace@example.com
unset GITHUB_TOKEN GITHUB_EVENT_PATH 2>/dev/null || true

step() { printf '\n\033[1m$ gitsm %s\033[0m\n' "$*"; "$GITSM" -C "$dir" "$@"; }
try() { printf '\n\033[1m$ gitsm %s\033[0m   (expected to fail)\n' "$*"; if "$GITSM" -C "$dir" "$@"; then echo "unexpected success" >&2; exit 1; else echo "(exit $?)"; fi; }

cp -R "$root/examples/." "$dir"
rm -rf "$dir/invalid" "$dir/README.md"
git -C "$dir" init -q -b main
git -C "$dir" add -A
git -C "$dir" commit -q -m "Records of Northwind Outfitters"
echo "records repository: $dir"

step validate
step validate --format json -q | head -6
step index
step list incident --where state=on_hold
step list change --where type=emergency --sort -planned_start --limit 3 --format csv
step show INC-000014
step impact orders-db --depth 2

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
fresh=$(mktemp -d "${TMPDIR:-/tmp}/gitsm-init.XXXXXX")
"$GITSM" init "$fresh"
"$GITSM" -C "$fresh" validate
echo
echo "The demo repository stays in $dir (and $fresh); remove them when done."
