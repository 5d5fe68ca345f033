package initcmd

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestValidateWorkflowCache checks that the validate workflow restores and saves gitsm's cache
// keyed on the base commit, and that every action it uses is pinned to a full commit SHA.
func TestValidateWorkflowCache(t *testing.T) {
	files, err := plan("/r", "/r", struct{ Version, Branch, WorkDir string }{"latest", "main", "."})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f.path) != "gitsm-validate.yml" {
			continue
		}
		var wf struct {
			Jobs map[string]struct {
				Steps []struct {
					Uses string
					With map[string]string
				}
			}
		}
		if err := yaml.Unmarshal(f.content, &wf); err != nil {
			t.Fatal(err)
		}
		pinned := regexp.MustCompile(`^[\w.-]+/[\w.-]+@[0-9a-f]{40}$`)
		var cache map[string]string
		for _, job := range wf.Jobs {
			for _, s := range job.Steps {
				if s.Uses == "" {
					continue
				}
				if !pinned.MatchString(s.Uses) {
					t.Errorf("%s: not pinned to a commit SHA", s.Uses)
				}
				if strings.HasPrefix(s.Uses, "actions/cache@") {
					cache = s.With
				}
			}
		}
		if cache == nil {
			t.Fatal("no actions/cache step")
		}
		if cache["path"] != ".git/gitsm" || !strings.Contains(cache["key"], "github.event.pull_request.base.sha") || cache["restore-keys"] == "" {
			t.Errorf("cache step: got %v, want .git/gitsm keyed on the base SHA with restore keys", cache)
		}
		if !strings.Contains(string(f.content), "can never make a bad record pass") {
			t.Error("the cache step does not say why a restored cache cannot make a bad record pass")
		}
		return
	}
	t.Fatal("no gitsm-validate.yml planned")
}
