package servicenow

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// File is one record file the import writes, by its slash path in the records repository.
type File struct {
	Path string
	Data []byte
}

// Settings are what the import needs of the repository's settings.
type Settings struct {
	// Prefix is the incident ID prefix (INC): ServiceNow's INC0000045 becomes INC-0000045.
	Prefix string
	// Priority returns the priority the settings' matrix gives impact × urgency; an imported
	// priority that differs keeps ServiceNow's value with a priority_reason.
	Priority func(impact, urgency int) string
}

// Matrix is the priority matrix of ServiceNow's four priority levels (impact rows, urgency
// columns, 1 high … 3 low), as the export's incidents use it.
var Matrix = [][]string{
	{"P1", "P2", "P3"},
	{"P2", "P3", "P4"},
	{"P3", "P4", "P4"},
}

// entry is one timeline entry.
type entry struct {
	at    time.Time
	state string
	by    string
	note  string
}

// Records returns the record files of the export: one Incident per incident number under
// incidents/YYYY/MM/ (by opened_at), and one CI per cmdb_ci the incidents name, ordered by
// path. It fills e.Stats.
func (e *Export) Records(s Settings) []File {
	numbers := make([]string, 0, len(e.incidents))
	for n := range e.incidents {
		numbers = append(numbers, n)
	}
	sort.Strings(numbers)
	cis := map[string]*ciUse{}
	var files []File
	for _, n := range numbers {
		inc := e.incidents[n]
		f, reason := e.incident(inc, s, cis)
		if reason != "" {
			e.Stats.IncidentsSkipped[reason]++
			e.Stats.Skipped["incident left out: "+reason] += len(inc.updates)
			continue
		}
		files = append(files, f)
		e.Stats.Incidents++
	}
	for _, name := range sortedKeys(cis) {
		files = append(files, cis[name].file())
		e.Stats.CIs++
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files
}

type ciUse struct {
	name, slug string
	groups     map[string]int
}

// file is the CI record: its owner is the assignment group of most of its incidents.
func (c *ciUse) file() File {
	owner, best := "unknown", 0
	for _, g := range sortedKeys(c.groups) {
		if c.groups[g] > best {
			owner, best = g, c.groups[g]
		}
	}
	var b strings.Builder
	b.WriteString("apiVersion: gitsm/v1\nkind: CI\nid: " + c.slug + "\n")
	b.WriteString("title: " + quote(c.name) + "\n")
	b.WriteString("class: other\nowner: " + quote(owner) + "\nenvironment: production\nlifecycle: production\n")
	b.WriteString("attributes:\n  servicenow_name: " + quote(c.name) + "\n")
	return File{Path: "cis/" + c.slug + ".yaml", Data: []byte(b.String())}
}

func (e *Export) get(row []string, col string) string {
	i, ok := e.col[col]
	if !ok || i >= len(row) {
		return ""
	}
	v := strings.TrimSpace(row[i])
	if v == "?" {
		return ""
	}
	return v
}

var numberDigits = regexp.MustCompile(`^[A-Za-z]*([0-9]{1,12})$`)

// level reads "2 - Medium" as 2.
func level(s string) (int, bool) {
	head, _, _ := strings.Cut(s, " ")
	n, err := strconv.Atoi(strings.TrimSpace(head))
	if err != nil || n < 1 || n > 3 {
		return 0, false
	}
	return n, true
}

// incident builds one record; a non-empty reason says why the incident was left out.
func (e *Export) incident(inc *incident, s Settings, cis map[string]*ciUse) (File, string) {
	inc.sort()
	last := inc.last
	m := numberDigits.FindStringSubmatch(inc.number)
	if m == nil {
		return File{}, "number is not letters and digits"
	}
	id := s.Prefix + "-" + m[1]
	opened, ok := parseTime(e.get(last, "opened_at"), e.Location)
	if !ok {
		return File{}, "no opened_at"
	}
	impact, ok1 := level(e.get(last, "impact"))
	urgency, ok2 := level(e.get(last, "urgency"))
	if !ok1 || !ok2 {
		return File{}, "no impact or urgency"
	}
	source := [][2]string{{"system", "servicenow"}, {"number", inc.number}}

	// The timeline: the changes of state, in the order of the updates.
	tl := []entry{{at: opened, state: "new", by: orUnknown(e.get(last, "opened_by"))}}
	adjust := func(kind string) { e.Stats.Adjusted[kind]++ }
	var lastResolvedRow time.Time
	holdLabel := ""
	for _, u := range inc.updates {
		st, _ := stateOf(u.state)
		at := time.Unix(u.at, 0).In(e.Location)
		if st == "resolved" {
			lastResolvedRow = at
		}
		prev := &tl[len(tl)-1]
		if st == "on_hold" {
			holdLabel = u.state
		}
		if st == prev.state {
			continue
		}
		if at.Before(prev.at) {
			adjust("an update dated before the previous one is kept at the previous one's time")
			at = prev.at
		}
		by := orUnknown(u.by)
		if prev.state == "closed" || prev.state == "canceled" {
			adjust("an incident updated after it was closed: the closing is kept as a resolution")
			note := prev.state + " in ServiceNow at " + stamp(prev.at) + ", then updated again"
			if len(tl) > 1 && tl[len(tl)-2].state == "resolved" {
				tl = tl[:len(tl)-1]
				tl[len(tl)-1].note = note
			} else {
				prev.state, prev.note = "resolved", note
			}
		}
		if st == "new" {
			adjust("an incident set back to New is kept in progress")
			st = "in_progress"
			if st == tl[len(tl)-1].state {
				continue
			}
		}
		prevState := tl[len(tl)-1].state
		switch {
		case st == "closed" && prevState != "resolved":
			adjust("closed without being resolved: a resolution is added at the closing")
			tl = append(tl, entry{at: at, state: "resolved", by: by, note: "closed without a resolution in ServiceNow"})
		case st == "on_hold" && prevState == "resolved":
			adjust("put on hold after it was resolved: a reopening is added")
			tl = append(tl, entry{at: at, state: "in_progress", by: by, note: "reopened"})
		}
		en := entry{at: at, state: st, by: by}
		if st == "on_hold" {
			en.note = u.state
		}
		tl = append(tl, en)
	}
	state := tl[len(tl)-1].state

	// resolved_at is the export's, else the last Resolved update's, else the closing's; the
	// last resolved entry of the timeline is moved to it.
	var resolvedAt, closedAt time.Time
	if state == "resolved" || state == "closed" {
		if t, ok := parseTime(e.get(last, "resolved_at"), e.Location); ok {
			resolvedAt = t
		} else {
			source = append(source, [2]string{"resolved_at", "?"})
			if !lastResolvedRow.IsZero() {
				resolvedAt = lastResolvedRow
			} else if t, ok := parseTime(e.get(last, "closed_at"), e.Location); ok {
				resolvedAt = t
			} else {
				resolvedAt = tl[len(tl)-1].at
			}
		}
		if resolvedAt.Before(opened) {
			adjust("resolved before it was opened: resolved_at is set to opened_at")
			source = append(source, [2]string{"resolved_at", e.get(last, "resolved_at")})
			resolvedAt = opened
		}
		i := lastIndex(tl, "resolved")
		tl[i].at = resolvedAt
		if chronological(tl, i) {
			adjust("timeline entries moved to keep the timeline chronological around resolved_at")
		}
	}
	if state == "closed" {
		i := len(tl) - 1
		t, ok := parseTime(e.get(last, "closed_at"), e.Location)
		if !ok {
			t = tl[i].at
		}
		if t.Before(tl[i-1].at) {
			adjust("closed_at before the previous timeline entry is moved to it")
			source = append(source, [2]string{"closed_at", e.get(last, "closed_at")})
			t = tl[i-1].at
		}
		tl[i].at = t
		closedAt = t
	}

	var b strings.Builder
	field := func(k, v string) {
		if v != "" {
			b.WriteString(k + ": " + quote(v) + "\n")
		}
	}
	b.WriteString("apiVersion: gitsm/v1\nkind: Incident\nid: " + id + "\n")
	field("title", title(e, last, inc.number))
	b.WriteString("state: " + state + "\n")
	fmt.Fprintf(&b, "impact: %d\nurgency: %d\n", impact, urgency)
	if p, label := priorityOf(e.get(last, "priority")), e.get(last, "priority"); p != "" {
		b.WriteString("priority: " + p + "\n")
		if s.Priority != nil && s.Priority(impact, urgency) != p {
			field("priority_reason", "set in ServiceNow ("+label+")")
		}
	}
	if ci := e.get(last, "cmdb_ci"); ci != "" {
		slug := slugify(ci)
		u := cis[slug]
		if u == nil {
			u = &ciUse{name: ci, slug: slug, groups: map[string]int{}}
			cis[slug] = u
		}
		if g := e.get(last, "assignment_group"); g != "" {
			u.groups[g]++
		}
		b.WriteString("cis: [" + slug + "]\n")
	}
	field("category", e.get(last, "category"))
	field("channel", strings.ToLower(e.get(last, "contact_type")))
	field("caller", e.get(last, "caller_id"))
	field("assignment_group", e.get(last, "assignment_group"))
	field("assignee", e.get(last, "assigned_to"))
	if state == "on_hold" {
		b.WriteString("on_hold_reason: " + holdReason(holdLabel) + "\n")
	}
	b.WriteString("opened_at: " + stamp(opened) + "\n")
	for _, en := range tl {
		if en.state != "new" {
			b.WriteString("acknowledged_at: " + stamp(en.at) + "\n")
			break
		}
	}
	if !resolvedAt.IsZero() {
		b.WriteString("resolved_at: " + stamp(resolvedAt) + "\n")
	}
	if !closedAt.IsZero() {
		b.WriteString("closed_at: " + stamp(closedAt) + "\n")
	}
	if state == "resolved" || state == "closed" {
		b.WriteString("resolution:\n  code: " + quote(orUnknown(e.get(last, "closed_code"))) + "\n")
		if r := e.get(last, "resolved_by"); r != "" {
			b.WriteString("  notes: " + quote("Resolved by "+strings.TrimSpace(strings.TrimPrefix(r, "Resolved by"))) + "\n")
		}
	}
	for _, c := range []string{"priority", "location", "subcategory", "u_symptom", "problem_id", "rfc", "caused_by", "vendor",
		"reassignment_count", "reopen_count", "sys_mod_count", "made_sla", "knowledge", "u_priority_confirmation", "notify",
		"opened_by", "resolved_by", "sys_created_by", "sys_created_at"} {
		if v := e.get(last, c); v != "" {
			source = append(source, [2]string{c, v})
		}
	}
	b.WriteString("source:\n")
	seen := map[string]bool{}
	for _, kv := range source {
		if seen[kv[0]] {
			continue
		}
		seen[kv[0]] = true
		b.WriteString("  " + kv[0] + ": " + sourceValue(kv[1]) + "\n")
	}
	b.WriteString("timeline:\n")
	for _, en := range tl {
		b.WriteString("  - at: " + stamp(en.at) + "\n    state: " + en.state + "\n    by: " + quote(en.by) + "\n")
		if en.note != "" {
			b.WriteString("    note: " + quote(en.note) + "\n")
		}
	}
	shard := opened.In(e.Location).Format("2006/01")
	return File{Path: "incidents/" + shard + "/" + id + ".yaml", Data: []byte(b.String())}, ""
}

// chronological makes the timeline chronological around entry i, whose time is fixed,
// moving earlier entries back and later ones forward; it reports whether it moved any.
func chronological(tl []entry, i int) bool {
	moved := false
	for j := i - 1; j >= 0; j-- {
		if tl[j].at.After(tl[j+1].at) {
			tl[j].at, moved = tl[j+1].at, true
		}
	}
	for j := i + 1; j < len(tl); j++ {
		if tl[j].at.Before(tl[j-1].at) {
			tl[j].at, moved = tl[j-1].at, true
		}
	}
	return moved
}

func lastIndex(tl []entry, state string) int {
	for i := len(tl) - 1; i >= 0; i-- {
		if tl[i].state == state {
			return i
		}
	}
	return -1
}

func title(e *Export, last []string, number string) string {
	var parts []string
	for _, c := range []string{"category", "subcategory", "u_symptom"} {
		if v := e.get(last, c); v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		return "ServiceNow incident " + number
	}
	return strings.Join(parts, " / ")
}

// priorityOf maps "1 - Critical" … "5 - Planning" to P1 … P5; anything else is no priority.
func priorityOf(s string) string {
	head, _, _ := strings.Cut(s, " ")
	if n, err := strconv.Atoi(head); err == nil && n >= 1 && n <= 5 {
		return "P" + head
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" || s == "?" {
		return "unknown"
	}
	return s
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slugify makes a CI ID of a ServiceNow name: "cmdb_ci 31" is cmdb-ci-31.
func slugify(s string) string {
	s = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	if s == "" {
		s = "ci"
	}
	return s
}

func stamp(t time.Time) string { return t.Format(time.RFC3339) }

var plain = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 ._/()-]*[A-Za-z0-9._)]$|^[A-Za-z]$`)

// quote writes a string as a YAML scalar: plain when that reads back as the same string,
// else double-quoted (a JSON string is a valid YAML double-quoted scalar).
func quote(s string) string {
	if plain.MatchString(s) && !strings.Contains(s, "  ") && !yamlWord(s) {
		return s
	}
	q, _ := json.Marshal(s)
	return string(q)
}

// yamlWord reports words YAML 1.1 readers take for booleans or null.
func yamlWord(s string) bool {
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "tilde":
		return true
	}
	return false
}

// sourceValue keeps numbers and booleans of the export as such, the rest as strings.
func sourceValue(s string) string {
	if s == "true" || s == "false" {
		return s
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil && (s == "0" || !strings.HasPrefix(s, "0")) {
		return s
	}
	return quote(s)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
