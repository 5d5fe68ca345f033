package githubapi_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/githubapi"
	"github.com/gitsm/gitsm/internal/githubapi/githubtest"
)

func TestOpenPullsWithHead(t *testing.T) {
	s := fake(t)
	// A fork's pull request with the same head, from another branch, among many (two pages).
	s.PRs[8] = &githubtest.PR{Number: 8, HeadSHA: headSHA, HeadRef: "other", HeadRepo: "mallory/records", BaseRef: "release", BaseSHA: oldSHA, Author: "mallory"}
	for n := 100; n < 250; n++ {
		s.PRs[n] = &githubtest.PR{Number: n, HeadSHA: oldSHA, HeadRef: fmt.Sprint("b", n), BaseRef: "main", BaseSHA: oldSHA, Author: "frank"}
	}
	s.PRs[9] = &githubtest.PR{Number: 9, HeadSHA: headSHA, HeadRef: "chg-1", BaseRef: "main", BaseSHA: oldSHA, Author: "frank", State: "closed"}
	s.PRs[10] = &githubtest.PR{Number: 10, HeadSHA: oldSHA, HeadRef: "x", BaseRef: "main", BaseSHA: oldSHA, Author: "frank"}
	c, _ := client(t, s)
	got, err := c.OpenPullsWithHead(context.Background(), headSHA)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, pr := range got {
		numbers = append(numbers, pr.Number)
	}
	if diff := cmp.Diff([]int{7, 8}, numbers); diff != "" {
		t.Errorf("pull requests mismatch (-want +got):\n%s", diff)
	}
}

func TestBranchTipAndOnBranch(t *testing.T) {
	const tip, mid, other = "3333333333333333333333333333333333333333", "2222222222222222222222222222222222222222", "4444444444444444444444444444444444444444"
	s := fake(t)
	s.Branches["main"] = tip
	s.Ancestors[tip] = []string{mid, oldSHA}
	c, _ := client(t, s)
	ctx := context.Background()
	got, err := c.BranchTip(ctx, "main")
	if err != nil || got != tip {
		t.Fatalf("BranchTip = %q, %v; want %s", got, err, tip)
	}
	if _, err := c.BranchTip(ctx, "gone"); err == nil {
		t.Errorf("BranchTip of a missing branch succeeded")
	}
	for sha, want := range map[string]bool{tip: true, mid: true, oldSHA: true, other: false} {
		if ok, err := c.OnBranch(ctx, sha, tip); err != nil || ok != want {
			t.Errorf("OnBranch(%s) = %v, %v; want %v", sha[:4], ok, err, want)
		}
	}
}

func TestNonApprovers(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) *githubtest.Server {
		s := fake(t)
		s.PRs[7].Commits = []githubtest.Commit{
			{SHA: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Author: "frank", Committer: "frank"},
			{SHA: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", Author: "Grace", Committer: "web-flow"},
			{SHA: "cccccccccccccccccccccccccccccccccccccccc", Author: "", Committer: ""},
		}
		return s
	}
	t.Run("authors, committers and the pusher from the event", func(t *testing.T) {
		s := setup(t)
		c, _ := client(t, s)
		pr, _ := c.PullRequest(ctx, 7)
		got, err := c.NonApprovers(ctx, pr, "heidi")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"frank":    "authored commit aaaaaaaaaaaa of the pull request",
			"grace":    "authored commit bbbbbbbbbbbb of the pull request",
			"web-flow": "committed commit bbbbbbbbbbbb of the pull request",
			"heidi":    "pushed the head commit 111111111111",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("non-approvers mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("the pusher from the repository activity", func(t *testing.T) {
		s := setup(t)
		s.Activity["shop/records"] = []githubtest.Push{
			{Ref: "refs/heads/chg-1", Before: oldSHA, After: headSHA, Actor: "ivan"},
			{Ref: "refs/heads/other", Before: oldSHA, After: headSHA, Actor: "judy"},
		}
		c, _ := client(t, s)
		pr, _ := c.PullRequest(ctx, 7)
		got, err := c.NonApprovers(ctx, pr, "")
		if err != nil {
			t.Fatal(err)
		}
		if got["ivan"] == "" || got["judy"] != "" {
			t.Errorf("non-approvers = %v, want ivan as the pusher and not judy", got)
		}
	})
	t.Run("a pusher nobody can tell fails", func(t *testing.T) {
		s := setup(t)
		c, _ := client(t, s)
		pr, _ := c.PullRequest(ctx, 7)
		if got, err := c.NonApprovers(ctx, pr, ""); err == nil {
			t.Errorf("NonApprovers = %v, want an error", got)
		}
	})
	t.Run("more commits than GitHub lists fails closed", func(t *testing.T) {
		s := setup(t)
		for i := range 260 {
			s.PRs[7].Commits = append(s.PRs[7].Commits, githubtest.Commit{SHA: "d" + string(rune('a'+i%26)), Author: "frank"})
		}
		c, _ := client(t, s)
		pr, _ := c.PullRequest(ctx, 7)
		if _, err := c.NonApprovers(ctx, pr, "heidi"); !errors.Is(err, githubapi.ErrTruncated) {
			t.Errorf("error = %v, want ErrTruncated", err)
		}
	})
}

func TestReadEvent(t *testing.T) {
	write := func(t *testing.T, body string) string {
		p := filepath.Join(t.TempDir(), "event.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, event, body string
		want              githubapi.Event
	}{
		{"synchronize", "pull_request_target",
			`{"action":"synchronize","number":7,"sender":{"login":"heidi"},"pull_request":{"number":7,"head":{"sha":"` + headSHA + `"},"base":{"ref":"main"}}}`,
			githubapi.Event{Name: "pull_request_target", Action: "synchronize", Sender: "heidi", PR: 7, HeadSHA: headSHA, BaseRef: "main"}},
		{"merge group", "merge_group",
			`{"action":"checks_requested","sender":{"login":"grace"},"merge_group":{"head_sha":"` + headSHA + `","head_ref":"refs/heads/gh-readonly-queue/release/2026/pr-42-` + oldSHA + `","base_sha":"` + oldSHA + `","base_ref":"refs/heads/release/2026"}}`,
			githubapi.Event{Name: "merge_group", Action: "checks_requested", Sender: "grace", PR: 42, HeadSHA: headSHA, BaseSHA: oldSHA, BaseRef: "release/2026"}},
		{"workflow run", "workflow_run",
			`{"action":"completed","sender":{"login":"grace"},"workflow_run":{"head_sha":"` + headSHA + `","event":"pull_request_review","pull_requests":[{"number":7}]}}`,
			githubapi.Event{Name: "workflow_run", Action: "completed", Sender: "grace", HeadSHA: headSHA, RunPRs: []int{7}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := githubapi.ReadEvent(tt.event, write(t, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("event mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := githubapi.ReadEvent("merge_group", write(t, `{"merge_group":{"head_sha":"`+headSHA+`","head_ref":"refs/heads/feature"}}`)); err == nil {
		t.Errorf("a merge group without a queue ref was read")
	}
	// Malformed, wrongly typed or oversized payloads are errors (the check then exits 2), never
	// an event with empty fields.
	huge := write(t, `{"action":"synchronize","number":7`+strings.Repeat(" ", githubapi.MaxEventSize)+`}`)
	for name, path := range map[string]string{
		"not JSON":        write(t, `{"action":`),
		"a string number": write(t, `{"pull_request":{"number":"7"}}`),
		"an array":        write(t, `[]`),
		"oversized":       huge,
		"missing":         filepath.Join(t.TempDir(), "none.json"),
	} {
		if ev, err := githubapi.ReadEvent("pull_request_target", path); err == nil {
			t.Errorf("%s: read as %+v, want an error", name, ev)
		}
	}
	ev := githubapi.Event{Action: "synchronize", Sender: "heidi", HeadSHA: headSHA}
	if ev.Pusher(headSHA) != "heidi" || ev.Pusher(oldSHA) != "" || (githubapi.Event{Action: "submitted", Sender: "x", HeadSHA: headSHA}).Pusher(headSHA) != "" || (githubapi.Event{Action: "opened", Sender: "x", HeadSHA: headSHA}).Pusher(headSHA) != "" {
		t.Errorf("Pusher does not keep to synchronize events of the head")
	}
}
