package history

import (
	"errors"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

func TestCodecRoundTrip(t *testing.T) {
	h := func(b byte) plumbing.Hash { return plumbing.Hash{b} }
	commits := map[plumbing.Hash]*Commit{
		h(1): {Hash: h(1), Author: Person{"Grace", "g@x"}, AuthorTime: 10, AuthorZone: 3600, CommitTime: 11, Subject: "open",
			Changes: []Change{{Path: "incidents/INC-1.yaml", New: h(9)}}},
		h(2): {Hash: h(2), Parents: []plumbing.Hash{h(1), h(3)}, Author: Person{"Grace", "g@x"}, CommitTime: 12, Subject: "Merge pull request #2", Signed: true,
			Changes: []Change{{Path: "incidents/INC-1.yaml", Old: h(9), New: h(8)}, {Path: "cis/a.yaml", Old: h(7)}}},
	}
	tips := map[string]plumbing.Hash{"refs/heads/main": h(2)}
	prefix, gotTips, got, err := decode(encode("records", tips, commits))
	if err != nil {
		t.Fatal(err)
	}
	gotMap := map[plumbing.Hash]*Commit{}
	for _, c := range got {
		gotMap[c.Hash] = c
	}
	if prefix != "records" {
		t.Errorf("prefix: got %q", prefix)
	}
	if d := cmp.Diff(tips, gotTips); d != "" {
		t.Errorf("tips (-want +got):\n%s", d)
	}
	if d := cmp.Diff(commits, gotMap); d != "" {
		t.Errorf("commits (-want +got):\n%s", d)
	}
	// Every truncation is refused, never a panic.
	body := encode("records", tips, commits)
	for n := range len(body) {
		if _, _, _, err := decode(body[:n]); !errors.Is(err, errCorrupt) {
			t.Fatalf("truncated at %d: got %v, want errCorrupt", n, err)
		}
	}
}
