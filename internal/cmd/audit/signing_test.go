package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitsm/gitsm/internal/audit"
)

func armoredPublic(t *testing.T, e *openpgp.Entity) string {
	t.Helper()
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.String()
}

// TestAuditSignatures signs commits with go-git: one by a listed key passes, one by a key
// nobody listed is reported unsigned.
func TestAuditSignatures(t *testing.T) {
	dir := t.TempDir()
	g, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	grace, err := openpgp.NewEntity("Grace Hopper", "", "grace@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	mallory, err := openpgp.NewEntity("Mallory", "", "mallory@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	write := func(rel, s string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wt, err := g.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	commit := func(msg string, key *openpgp.Entity, hour int) string {
		if err := wt.AddGlob("."); err != nil {
			t.Fatal(err)
		}
		sig := &object.Signature{Name: "Grace Hopper", Email: "grace@example.com", When: time.Date(2026, 1, 1, hour, 0, 0, 0, time.UTC)}
		h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, SignKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return h.String()
	}
	write(".gitsm/config.yaml", "signing:\n  required: true\n  keys: [.gitsm/keys/grace.asc]\n")
	write(".gitsm/keys/grace.asc", armoredPublic(t, grace))
	write("incidents/2026/INC-000001.yaml", incident("INC-000001", "new"))
	commit("open (#1)", grace, 9)

	rep, _, err := run(t, dir, Options{})
	if err != nil || rep.Summary.Violations != 0 {
		t.Fatalf("signed by a listed key: got %v, %+v, want no violation", err, rep.Violations)
	}

	write("incidents/2026/INC-000001.yaml", incident("INC-000001", "in_progress"))
	forged := commit("work (#2)", mallory, 10)
	rep, _, _ = run(t, dir, Options{})
	if len(rep.Violations) != 1 || rep.Violations[0].Kind != audit.Unsigned || rep.Violations[0].Commit != forged {
		t.Errorf("signed by an unlisted key: got %+v, want one unsigned violation on %s", rep.Violations, forged)
	}
}
