// Package check runs `gitsm validate`: every record file through the loader, its kind's schema
// and the per-record rules (in parallel, one file at a time), then the rules across records,
// then — against a base revision — the rules that compare with history.
package check

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/finding"
	"github.com/gitsm/gitsm/internal/gitrepo"
	"github.com/gitsm/gitsm/internal/record"
	"github.com/gitsm/gitsm/internal/rules"
	"github.com/gitsm/gitsm/internal/schema"
	"github.com/gitsm/gitsm/internal/yamldoc"
)

// Engine checks the records of one repository.
type Engine struct {
	Root    string
	Config  *config.Config
	Schemas *schema.Set
}

// New reads the repository's settings and compiles the schemas.
func New(root string) (*Engine, error) {
	cfg, err := config.Load(root)
	if err != nil {
		return nil, err
	}
	return NewWithConfig(root, cfg)
}

// NewWithConfig is New with settings already read.
func NewWithConfig(root string, cfg *config.Config) (*Engine, error) {
	s, err := schema.Compile(cfg.CustomFields)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.Path, err)
	}
	return &Engine{Root: root, Config: cfg, Schemas: s}, nil
}

// Analyze checks one file's content on its own and returns the parsed record too (nil when
// the content is not a record).
func (e *Engine) Analyze(rel string, src []byte) (record.File, *record.Parsed) {
	f := record.File{Path: rel, Hash: gitrepo.BlobHash(src).String()}
	folder, _ := record.FolderKind(rel)
	p, fs := record.Parse(rel, folder, e.Config.Prefixes, src)
	f.Findings = fs
	if p == nil {
		return f, nil
	}
	f.Findings = append(f.Findings, e.schemaFindings(p)...)
	f.Findings = append(f.Findings, rules.Record(p, e.Config)...)
	f.Record = p.Summary()
	return f, p
}

// Summarize reads one file's summary without checking it against its schema or the
// per-record rules: for a file whose own findings will not be reported (one unchanged since
// the base of validate --base), which only lends its summary to the rules across records.
// The findings it returns are those of reading and parsing alone. hash is the content's blob
// hash, which the caller has computed already.
func (e *Engine) Summarize(rel string, src []byte, hash string) record.File {
	f := record.File{Path: rel, Hash: hash}
	folder, _ := record.FolderKind(rel)
	p, fs := record.Parse(rel, folder, e.Config.Prefixes, src)
	f.Findings = fs
	if p != nil {
		f.Record = p.Summary()
	}
	return f
}

// Load reads and analyzes one file of the work tree.
func (e *Engine) Load(rel string) (record.File, *record.Parsed) {
	src, ff := record.ReadFile(e.Root, rel, e.Config.MaxFileSize)
	if ff != nil {
		return record.File{Path: rel, Findings: []finding.Finding{*ff}}, nil
	}
	return e.Analyze(rel, src)
}

// LoadAll analyzes files in parallel, keeping their order.
func (e *Engine) LoadAll(ctx context.Context, rels []string) ([]record.File, error) {
	return eachFile(ctx, rels, func(rel string) record.File {
		f, _ := e.Load(rel)
		return f
	})
}

// eachFile runs one on every path in parallel (one worker per processor) and keeps the
// results in order; it stops handing out paths when ctx ends.
func eachFile(ctx context.Context, rels []string, one func(rel string) record.File) ([]record.File, error) {
	out := make([]record.File, len(rels))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(rels)))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = one(rels[i])
			}
		}()
	}
	var err error
feed:
	for i := range rels {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	return out, err
}

func (e *Engine) schemaFindings(p *record.Parsed) []finding.Finding {
	vs := e.Schemas.Validate(string(p.Kind), p.Data)
	var out []finding.Finding
	seen := map[string]bool{}
	for _, v := range vs {
		switch {
		case v.Keyword == "required":
			parent := yamldoc.Locate(p.Root, v.Pointer)
			for _, m := range v.Missing {
				out = append(out, requiredFinding(p, parent, v, m))
			}
		case v.Keyword == "additionalProperties":
			parent := yamldoc.Locate(p.Root, v.Pointer)
			key := yamldoc.KeyIndex(parent, len(v.Unexpected))
			for _, u := range v.Unexpected {
				n := key(u)
				if n == nil {
					n = parent
				}
				hint := "remove it"
				if v.Pointer == "" {
					hint = "remove it, prefix it with x-, or declare it under custom_fields in .gitsm/config.yaml"
				}
				out = append(out, p.Finding(n, finding.Error, "schema", "%s: unknown field; %s", join(v.Pointer, u), hint))
			}
		default:
			if seen[v.Pointer] {
				continue
			}
			seen[v.Pointer] = true
			n := yamldoc.Locate(p.Root, v.Pointer)
			out = append(out, p.Finding(n, finding.Error, "schema", "%s: %s%s", field(v.Pointer), v.Message, hint(n, v)))
		}
	}
	return out
}

// typeDependent are fields that a change's type, not its state, requires.
var typeDependent = map[string]bool{"justification": true, "template": true}

func requiredFinding(p *record.Parsed, parent *yaml.Node, v schema.Violation, missing string) finding.Finding {
	if !v.Conditional || v.Pointer != "" {
		return p.Finding(parent, finding.Error, "schema", "%s: missing required field", join(v.Pointer, missing))
	}
	typ, _ := p.Data["type"].(string)
	state, _ := p.Data["state"].(string)
	if typeDependent[missing] {
		return p.Finding(p.Node("type"), finding.Error, "schema", "%s: a %s change requires it; add it", missing, typ)
	}
	what := "state " + state
	if p.Kind == record.Change && missing == "review" {
		what = fmt.Sprintf("a closed %s change with outcome %v", typ, p.Data["outcome"])
	}
	return p.Finding(p.Node("state"), finding.Error, "state.required", "%s requires %s; add it", what, missing)
}

func join(pointer, name string) string {
	if pointer == "" {
		return name
	}
	return field(pointer) + "." + name
}

// field renders a JSON pointer as a field path: /timeline/2/at → timeline[2].at.
func field(pointer string) string {
	if pointer == "" {
		return "(record)"
	}
	var b strings.Builder
	for i, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if tok != "" && strings.Trim(tok, "0123456789") == "" {
			fmt.Fprintf(&b, "[%s]", tok)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func hint(n *yaml.Node, v schema.Violation) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	switch {
	case strings.Contains(v.Message, "expected boolean") && slices.Contains([]string{"yes", "no", "on", "off", "y", "n"}, strings.ToLower(n.Value)):
		return fmt.Sprintf(" (YAML 1.2 reads %s as a string; write true or false)", n.Value)
	case strings.Contains(v.Message, "date-time") || (v.Keyword == "pattern" && strings.HasSuffix(v.Pointer, "_at")):
		return " (timestamps are RFC 3339 with seconds and an offset, such as 2026-03-02T10:14:00Z)"
	}
	return ""
}
