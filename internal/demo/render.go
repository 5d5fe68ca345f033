package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// story is one example record told as it happened: its final text and its timeline, from
// which the version after each timeline entry is rendered.
type story struct {
	path, id, kind, title string
	src                   []byte
	blocks                []block
	steps                 []step
	// person is who works the record in its pull requests (a change's assignee).
	person string
	// typ is a change's type.
	typ string
}

type step struct {
	at    time.Time
	state string
	by    string
}

// block is one top-level field of a record file with the comment lines above it; key is ""
// for comments at the end of the file.
type block struct {
	key   string
	lines []string
}

// refFields name one record each; a version leaves out a reference to a record that does not
// exist yet (it is added when that record is).
var refFields = []string{"problem", "caused_by", "parent", "fix_change"}

func newStory(path string, src []byte) (*story, error) {
	var head struct {
		Kind      string `yaml:"kind"`
		ID        string `yaml:"id"`
		Title     string `yaml:"title"`
		Type      string `yaml:"type"`
		Assignee  string `yaml:"assignee"`
		Requested string `yaml:"requested_by"`
		OpenedAt  string `yaml:"opened_at"`
		Timeline  []struct {
			At    string `yaml:"at"`
			State string `yaml:"state"`
			By    string `yaml:"by"`
		} `yaml:"timeline"`
	}
	if err := yaml.Unmarshal(src, &head); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &story{path: path, id: head.ID, kind: head.Kind, title: head.Title, src: src, blocks: splitBlocks(string(src)), typ: head.Type}
	s.person = head.Assignee
	if s.person == "" {
		s.person = head.Requested
	}
	for _, e := range head.Timeline {
		at, err := time.Parse(time.RFC3339, e.At)
		if err != nil {
			return nil, fmt.Errorf("%s: timeline: %w", path, err)
		}
		s.steps = append(s.steps, step{at: at.UTC(), state: e.State, by: e.By})
	}
	if len(s.steps) == 0 {
		return nil, fmt.Errorf("%s: no timeline", path)
	}
	return s, nil
}

func splitBlocks(src string) []block {
	lines := strings.SplitAfter(src, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var out []block
	var pending []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "#"):
			pending = append(pending, l)
		case l == "\n" || strings.HasPrefix(l, " ") || strings.HasPrefix(l, "-"):
			if len(pending) > 0 || len(out) == 0 {
				pending = append(pending, l)
				continue
			}
			out[len(out)-1].lines = append(out[len(out)-1].lines, l)
		default:
			key, _, _ := strings.Cut(l, ":")
			out = append(out, block{key: key, lines: append(pending, l)})
			pending = nil
		}
	}
	if len(pending) > 0 {
		out = append(out, block{lines: pending})
	}
	return out
}

// reached reports whether the timeline up to step k holds one of states.
func (s *story) reached(k int, states ...string) bool {
	for _, st := range s.steps[:k+1] {
		if slices.Contains(states, st.state) {
			return true
		}
	}
	return false
}

// keep says whether field belongs in the version after step k.
func (s *story) keep(field string, k int) bool {
	if k == len(s.steps)-1 {
		return true
	}
	switch s.kind {
	case "Incident":
		switch field {
		case "acknowledged_at":
			return k > 0
		case "resolved_at", "resolution":
			return s.reached(k, "resolved")
		case "closed_at":
			return s.reached(k, "closed")
		case "canceled_at":
			return s.reached(k, "canceled")
		}
	case "Problem":
		switch field {
		case "root_cause", "known_error", "workaround":
			return s.reached(k, "root_cause_analysis", "fix_in_progress", "resolved", "closed")
		case "resolution", "resolved_at":
			return s.reached(k, "resolved")
		case "closed_at":
			return s.reached(k, "closed")
		}
	case "Change":
		switch field {
		case "planned_start", "planned_end":
			return s.reached(k, "scheduled")
		case "actual_start":
			return s.reached(k, "implement")
		case "actual_end":
			return s.reached(k, "review")
		case "outcome", "review":
			return s.reached(k, "closed")
		}
	}
	return true
}

// render returns the record as it read after timeline step k, leaving out references to
// records for which exists is false. The last step with every reference is the file itself.
func (s *story) render(k int, exists func(id string) bool) []byte {
	var b strings.Builder
	state := s.steps[k].state
	hasHold := false
	for _, bl := range s.blocks {
		if bl.key == "on_hold_reason" {
			hasHold = true
		}
	}
	for _, bl := range s.blocks {
		switch {
		case bl.key == "state":
			writeComments(&b, bl.lines)
			b.WriteString("state: " + state + "\n")
			if state == "on_hold" && !hasHold {
				b.WriteString("on_hold_reason: other\n")
			}
			continue
		case bl.key == "timeline":
			writeTimeline(&b, bl.lines, k+1)
			continue
		case bl.key == "fixes":
			ids := listItems(bl.lines)
			kept := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !exists(id) })
			switch {
			case len(kept) == len(ids):
			case len(kept) == 0:
				continue
			default:
				writeComments(&b, bl.lines)
				b.WriteString("fixes: [" + strings.Join(kept, ", ") + "]\n")
				continue
			}
		case slices.Contains(refFields, bl.key):
			if id := scalar(bl.lines); id != "" && !exists(id) {
				continue
			}
		case bl.key != "" && !s.keep(bl.key, k):
			continue
		}
		for _, l := range bl.lines {
			b.WriteString(l)
		}
	}
	return []byte(b.String())
}

// refs returns the IDs the record names in its reference fields.
func (s *story) refs() []string {
	var out []string
	for _, bl := range s.blocks {
		switch {
		case bl.key == "fixes":
			out = append(out, listItems(bl.lines)...)
		case slices.Contains(refFields, bl.key):
			if id := scalar(bl.lines); id != "" {
				out = append(out, id)
			}
		}
	}
	return out
}

func writeComments(b *strings.Builder, lines []string) {
	for _, l := range lines {
		if strings.HasPrefix(l, "#") {
			b.WriteString(l)
		}
	}
}

// writeTimeline writes the timeline block with its first n entries.
func writeTimeline(b *strings.Builder, lines []string, n int) {
	items := 0
	indent := -1
	for _, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		if strings.HasPrefix(trimmed, "- ") {
			in := len(l) - len(trimmed)
			if indent < 0 {
				indent = in
			}
			if in == indent {
				items++
			}
		}
		if items > n {
			break
		}
		b.WriteString(l)
	}
}

// scalar returns the value of a one-line field.
func scalar(lines []string) string {
	l := lines[len(lines)-1]
	if len(lines) > 1 && !strings.HasPrefix(lines[0], "#") {
		return ""
	}
	_, v, _ := strings.Cut(l, ":")
	v, _, _ = strings.Cut(v, "#")
	return strings.Trim(strings.TrimSpace(v), `"'`)
}

// listItems returns the items of a list field written in block or flow style.
func listItems(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "#") {
			continue
		}
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "- ") {
			out = append(out, strings.TrimSpace(strings.TrimPrefix(t, "- ")))
			continue
		}
		if _, v, ok := strings.Cut(t, ":"); ok {
			v = strings.TrimSpace(v)
			if strings.HasPrefix(v, "[") {
				for _, it := range strings.Split(strings.Trim(v, "[]"), ",") {
					if it = strings.TrimSpace(it); it != "" {
						out = append(out, it)
					}
				}
			}
		}
	}
	return out
}
