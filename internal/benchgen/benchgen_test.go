package benchgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitsm/gitsm/internal/check"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/record"
)

func TestGenerateValidates(t *testing.T) {
	dir := t.TempDir()
	const n = 500
	if err := Generate(dir, n, 1); err != nil {
		t.Fatal(err)
	}
	e, err := check.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(context.Background(), nil, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]finding.Finding(nil), res.Findings); diff != "" {
		t.Errorf("findings of a generated repository (-want +got):\n%s", diff)
	}
	if got, want := res.Records, Count(n).Total(); got != want {
		t.Errorf("got %d records, want %d", got, want)
	}
}

// TestGenerateCoversStates checks that every state of every kind's state machine, and every
// change type, occurs in a repository of 500 records.
func TestGenerateCoversStates(t *testing.T) {
	dir := t.TempDir()
	if err := Generate(dir, 500, 7); err != nil {
		t.Fatal(err)
	}
	e, err := check.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	paths, _, err := record.Walk(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := e.LoadAll(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range files {
		if r := f.Record; r != nil && r.String("state") != "" {
			got[string(r.Kind)+" "+r.String("type")+" "+r.String("state")] = true
		}
	}
	want := map[string]bool{}
	for _, s := range incidentStates {
		want["Incident  "+s] = true
	}
	for _, s := range problemStates {
		want["Problem  "+s] = true
	}
	for typ, states := range changeStates {
		for _, s := range states {
			want["Change "+typ+" "+s] = true
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kinds, types and states (-want +got):\n%s", diff)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	sum := func(seed int64) map[string]string {
		dir := t.TempDir()
		if err := Generate(dir, 200, seed); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			h := sha256.Sum256(b)
			out[filepath.ToSlash(rel)] = hex.EncodeToString(h[:])
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := sum(3), sum(3)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two runs with seed 3 differ (-first +second):\n%s", diff)
	}
	if c := sum(4); cmp.Equal(a, c) {
		t.Errorf("seeds 3 and 4 gave the same files, want different ones")
	}
	if got, want := len(a), Count(200).Total()+2; got != want {
		t.Errorf("got %d files, want %d (records, config and policy)", got, want)
	}
}

func TestGenerateLayout(t *testing.T) {
	dir := t.TempDir()
	if err := Generate(dir, 30, 1); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"incidents/2024/01/INC-000001.yaml", "problems/2024/01/PRB-000001.yaml", "changes/2024/01/CHG-000001.yaml",
		"cis/svc-checkout-00.yaml", "slas/incident-response.yaml", "calendars/berlin-business.yaml", ".gitsm/config.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("got %v, want %s to exist", err, p)
		}
	}
}
