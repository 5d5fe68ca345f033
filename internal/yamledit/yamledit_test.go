package yamledit

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

const incident = `apiVersion: gitsm/v1
kind: Incident
id: INC-000123
title: Checkout API returns 502 for a third of requests
state: in_progress # was triaged
impact: 2
urgency: 1
opened_at: 2026-03-02T10:14:00Z
acknowledged_at: 2026-03-02T10:20:00Z
description: |
  Customers see 502 errors.
  Started after the 10:05 deploy.
cis: [checkout-api, payments-db]
tags:
  - checkout
  - payments
timeline:
  - at: 2026-03-02T10:14:00Z
    state: new
    by: alice
  - at: 2026-03-02T10:20:00Z
    state: in_progress
    by: bob
`

// edited is incident with some lines replaced: old lines first, then their replacement.
func edited(t *testing.T, pairs ...string) string {
	t.Helper()
	out := incident
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(out, pairs[i]) {
			t.Fatalf("test setup: %q not in the document", pairs[i])
		}
		out = strings.Replace(out, pairs[i], pairs[i+1], 1)
	}
	return out
}

func TestEdits(t *testing.T) {
	set := func(v any, path ...string) func(*Doc) error {
		return func(d *Doc) error { return d.Set(path, v) }
	}
	tests := []struct {
		name string
		in   string
		edit func(*Doc) error
		want string
	}{
		{
			name: "replace a plain scalar",
			in:   "id: INC-1\nimpact: 2\nurgency: 1\n",
			edit: set(3, "impact"),
			want: "id: INC-1\nimpact: 3\nurgency: 1\n",
		},
		{
			name: "replace keeping the trailing comment",
			in:   incident,
			edit: set("resolved", "state"),
			want: edited(t, "state: in_progress # was triaged", "state: resolved # was triaged"),
		},
		{
			name: "replace a double-quoted value keeps double quotes",
			in:   "id: INC-1\ntitle: \"Checkout: down\"  # quoted\nstate: new\n",
			edit: set("Checkout up", "title"),
			want: "id: INC-1\ntitle: \"Checkout up\"  # quoted\nstate: new\n",
		},
		{
			name: "replace a single-quoted value keeps single quotes",
			in:   "title: 'it''s down'\nstate: new\n",
			edit: set("it's up", "title"),
			want: "title: 'it''s up'\nstate: new\n",
		},
		{
			name: "single quotes give way to double quotes for a newline",
			in:   "title: 'x'\nstate: new\n",
			edit: set("a\tb", "title"),
			want: "title: \"a\\tb\"\nstate: new\n",
		},
		{
			name: "a YAML 1.1 boolean is quoted",
			in:   "major: false\nstate: new\n",
			edit: set("no", "state"),
			want: "major: false\nstate: \"no\"\n",
		},
		{
			name: "a number-like string is quoted",
			in:   "id: INC-1\ncaller: bob\n",
			edit: set("123", "caller"),
			want: "id: INC-1\ncaller: \"123\"\n",
		},
		{
			name: "a string with ': ' is quoted",
			in:   "id: INC-1\ncaller: bob\n",
			edit: set("a: b", "caller"),
			want: "id: INC-1\ncaller: \"a: b\"\n",
		},
		{
			name: "a date is quoted, a date-time is not",
			in:   "a: x\nb: y\n",
			edit: func(d *Doc) error {
				if err := d.Set([]string{"a"}, "2026-01-02"); err != nil {
					return err
				}
				return d.Set([]string{"b"}, "2026-03-02T10:14:00Z")
			},
			want: "a: \"2026-01-02\"\nb: 2026-03-02T10:14:00Z\n",
		},
		{
			name: "a multi-line string becomes a literal block",
			in:   "id: INC-1\nnote: short # c\nstate: new\n",
			edit: set("line one\nline two\n", "note"),
			want: "id: INC-1\nnote: | # c\n  line one\n  line two\nstate: new\n",
		},
		{
			name: "multi-line without a final newline, in a nested mapping",
			in:   "resolution:\n    code: fixed\n    notes: x\nstate: resolved\n",
			edit: set("a\n\nb", "resolution", "notes"),
			want: "resolution:\n    code: fixed\n    notes: |-\n        a\n\n        b\nstate: resolved\n",
		},
		{
			name: "multi-line before a more indented comment is double-quoted",
			in:   "note:\n  # to be written\nstate: new\n",
			edit: set("a\nb\n", "note"),
			want: "note: \"a\\nb\\n\"\n  # to be written\nstate: new\n",
		},
		{
			name: "multi-line with leading spaces is double-quoted",
			in:   "note: x\n",
			edit: set("  indented\nnext", "note"),
			want: "note: \"  indented\\nnext\"\n",
		},
		{
			name: "replace a block scalar with a block scalar",
			in:   incident,
			edit: set("Customers see 502 errors.\nCaused by a bad config.\n", "description"),
			want: edited(t, "  Started after the 10:05 deploy.\n", "  Caused by a bad config.\n"),
		},
		{
			name: "replace a block scalar with a one-line value keeps the block style",
			in:   incident,
			edit: set("Short.", "description"),
			want: edited(t, "description: |\n  Customers see 502 errors.\n  Started after the 10:05 deploy.\n", "description: |-\n  Short.\n"),
		},
		{
			name: "replace a folded block scalar followed by a blank line and a comment",
			in:   "notes: >\n  folded\n  text\n\n# about state\nstate: new\n",
			edit: set("plain", "notes"),
			want: "notes: |-\n  plain\n\n# about state\nstate: new\n",
		},
		{
			name: "replace a keep-chomping block scalar",
			in:   "notes: |+\n  kept\n\n\nstate: new\n",
			edit: set("x", "notes"),
			want: "notes: |-\n  x\nstate: new\n",
		},
		{
			name: "replace a block scalar keeps the comment on its header",
			in:   "notes: | # c\n  a\nstate: new\n",
			edit: set("b", "notes"),
			want: "notes: |- # c\n  b\nstate: new\n",
		},
		{
			name: "replace a block scalar with a list keeps the comment on its header",
			in:   "notes: | # c\n  a\nstate: new\n",
			edit: set([]string{"x"}, "notes"),
			want: "notes: [x] # c\nstate: new\n",
		},
		{
			name: "an equal value changes nothing",
			in:   "impact: 0x2 # hex\nopened_at: 2026-03-02\nnote: \"x\"\n",
			edit: func(d *Doc) error {
				for _, kv := range []KV{{"impact", 2}, {"opened_at", "2026-03-02"}, {"note", "x"}} {
					if err := d.Set([]string{kv.Key}, kv.Value); err != nil {
						return err
					}
				}
				return nil
			},
			want: "impact: 0x2 # hex\nopened_at: 2026-03-02\nnote: \"x\"\n",
		},
		{
			name: "a plain date replacing a plain date stays plain",
			in:   "date: 2026-03-02\n",
			edit: set("2026-03-03", "date"),
			want: "date: 2026-03-03\n",
		},
		{
			name: "replace a multi-line double-quoted value",
			in:   "title: \"first\n  second\" # c\nstate: new\n",
			edit: set("one", "title"),
			want: "title: \"one\" # c\nstate: new\n",
		},
		{
			name: "replace a multi-line plain value",
			in:   "title: first\n  second\n  third\nstate: new\n",
			edit: set("one", "title"),
			want: "title: one\nstate: new\n",
		},
		{
			name: "replace a flow list",
			in:   incident,
			edit: set([]string{"checkout-api", "no", "a, b"}, "cis"),
			want: edited(t, "cis: [checkout-api, payments-db]", `cis: [checkout-api, "no", "a, b"]`),
		},
		{
			name: "replace a block list",
			in:   incident,
			edit: set([]string{"checkout", "sev:1"}, "tags"),
			want: edited(t, "  - payments\n", "  - sev:1\n"),
		},
		{
			name: "replace a multi-line flow list with a comment inside",
			in:   "cis: [a, # first\n  'b]', \"c\"]  # end\nstate: new\n",
			edit: set([]string{"d"}, "cis"),
			want: "cis: [d]  # end\nstate: new\n",
		},
		{
			name: "replace a nested mapping with a mapping",
			in:   "review:\n   notes: old\n   # reviewed by\n   completed_at: 2026-03-01T00:00:00Z\n# after\nstate: closed\n",
			edit: set([]KV{{"notes", "new"}, {"completed_at", "2026-03-02T00:00:00Z"}}, "review"),
			want: "review:\n   notes: new\n   completed_at: 2026-03-02T00:00:00Z\n# after\nstate: closed\n",
		},
		{
			name: "replace a nested mapping with a scalar",
			in:   "review: # pir\n  notes: old\n  done: true\nstate: closed\n",
			edit: set(nil, "review"),
			want: "review: null # pir\nstate: closed\n",
		},
		{
			name: "replace a block list at the key's indentation",
			in:   "tags:\n- a\n- b # last\nstate: new\n",
			edit: set([]string{"c"}, "tags"),
			want: "tags:\n- c # last\nstate: new\n",
		},
		{
			name: "replace a scalar with a list",
			in:   "tags: none # c\nstate: new\n",
			edit: set([]string{"a", "b"}, "tags"),
			want: "tags: [a, b] # c\nstate: new\n",
		},
		{
			name: "replace a block list with a scalar keeps the key line comment",
			in:   "tags: # c\n  - a\n  - b\nstate: new\n",
			edit: set("none", "tags"),
			want: "tags: none # c\nstate: new\n",
		},
		{
			name: "a long list becomes a block list",
			in:   "id: x\n",
			edit: set([]string{strings.Repeat("a", 40), strings.Repeat("b", 40)}, "tags"),
			want: "id: x\ntags:\n  - " + strings.Repeat("a", 40) + "\n  - " + strings.Repeat("b", 40) + "\n",
		},
		{
			name: "replace an empty value",
			in:   "assignee:   # nobody yet\nstate: new\n",
			edit: set("carol", "assignee"),
			want: "assignee: carol   # nobody yet\nstate: new\n",
		},
		{
			name: "set nil keeps the existing null spelling",
			in:   "assignee: bob\nproblem: ~\n",
			edit: func(d *Doc) error {
				if err := d.Set([]string{"problem"}, nil); err != nil {
					return err
				}
				return d.Set([]string{"assignee"}, nil)
			},
			want: "assignee: null\nproblem: ~\n",
		},
		{
			name: "insert a new top-level key at the end",
			in:   incident,
			edit: set("P2", "priority"),
			want: incident + "priority: P2\n",
		},
		{
			name: "insert a new top-level key after a sibling",
			in:   incident,
			edit: func(d *Doc) error {
				return d.SetAfter([]string{"resolved_at"}, "2026-03-02T11:00:00Z", "closed_at", "acknowledged_at")
			},
			want: edited(t, "acknowledged_at: 2026-03-02T10:20:00Z\n", "acknowledged_at: 2026-03-02T10:20:00Z\nresolved_at: 2026-03-02T11:00:00Z\n"),
		},
		{
			name: "insert after a sibling with a block value and a head comment on the next key",
			in:   "a:\n  b: 1\n  # about b\n\n# about c\nc: 2\n",
			edit: func(d *Doc) error { return d.SetAfter([]string{"x"}, "z", "a") },
			want: "a:\n  b: 1\n  # about b\nx: z\n\n# about c\nc: 2\n",
		},
		{
			name: "insert a nested key into an existing mapping",
			in:   "resolution:\n  code: fixed # short\nstate: resolved\n",
			edit: set("Rolled back.", "resolution", "notes"),
			want: "resolution:\n  code: fixed # short\n  notes: Rolled back.\nstate: resolved\n",
		},
		{
			name: "create a missing mapping",
			in:   incident,
			edit: func(d *Doc) error {
				return d.SetAfter([]string{"resolution"}, []KV{{"code", "solved_permanently"}, {"notes", "Rolled back\nthe deploy."}}, "acknowledged_at")
			},
			want: edited(t, "acknowledged_at: 2026-03-02T10:20:00Z\n", "acknowledged_at: 2026-03-02T10:20:00Z\nresolution:\n  code: solved_permanently\n  notes: |-\n    Rolled back\n    the deploy.\n"),
		},
		{
			name: "create missing intermediate mappings",
			in:   "state: resolved\n",
			edit: set("fixed", "resolution", "code"),
			want: "state: resolved\nresolution:\n  code: fixed\n",
		},
		{
			name: "a null intermediate becomes a mapping",
			in:   "resolution: # later\nstate: resolved\n",
			edit: set("fixed", "resolution", "code"),
			want: "resolution: # later\n  code: fixed\nstate: resolved\n",
		},
		{
			name: "set inside a flow mapping",
			in:   "resolution: {code: fixed, notes: 'x'}\n",
			edit: func(d *Doc) error {
				if err := d.Set([]string{"resolution", "notes"}, "y, z"); err != nil {
					return err
				}
				return d.Set([]string{"resolution", "by"}, "bob")
			},
			want: "resolution: {code: fixed, notes: 'y, z', by: bob}\n",
		},
		{
			name: "insert into an empty flow mapping",
			in:   "resolution: {}\n",
			edit: set("fixed", "resolution", "code"),
			want: "resolution: {code: fixed}\n",
		},
		{
			name: "delete a key with a block value",
			in:   incident,
			edit: func(d *Doc) error { return d.Delete("description") },
			want: edited(t, "description: |\n  Customers see 502 errors.\n  Started after the 10:05 deploy.\n", ""),
		},
		{
			name: "delete a key with a nested mapping and its indented comments",
			in:   "# head\nresolution:\n  code: x\n  # notes later\n# about state\nstate: new\n",
			edit: func(d *Doc) error { return d.Delete("resolution") },
			want: "# head\n# about state\nstate: new\n",
		},
		{
			name: "delete the last key of a nested mapping",
			in:   "resolution: # c\n  code: x\nstate: new\n",
			edit: func(d *Doc) error { return d.Delete("resolution", "code") },
			want: "resolution: {} # c\nstate: new\n",
		},
		{
			name: "delete from a flow mapping",
			in:   "r: {a: 1, b: 2, c: 3}\n",
			edit: func(d *Doc) error {
				if err := d.Delete("r", "b"); err != nil {
					return err
				}
				return d.Delete("r", "c")
			},
			want: "r: {a: 1}\n",
		},
		{
			name: "append a timeline entry, list indented under its key",
			in:   incident,
			edit: appendEntry("2026-03-02T11:00:00Z", "resolved", "bob", "Rolled back: fixed"),
			want: incident + "  - at: 2026-03-02T11:00:00Z\n    state: resolved\n    by: bob\n    note: \"Rolled back: fixed\"\n",
		},
		{
			name: "append a timeline entry, list at its key's indentation, comments between and after",
			in: "timeline:\n- at: 2026-03-02T10:14:00Z\n  state: new\n# reopened below\n- at: 2026-03-02T10:20:00Z\n  state: in_progress\n" +
				"  # by: unknown\n# end of timeline\nstate: in_progress\n",
			edit: appendEntry("2026-03-02T11:00:00Z", "on_hold", "carol", ""),
			want: "timeline:\n- at: 2026-03-02T10:14:00Z\n  state: new\n# reopened below\n- at: 2026-03-02T10:20:00Z\n  state: in_progress\n" +
				"  # by: unknown\n- at: 2026-03-02T11:00:00Z\n  state: on_hold\n  by: carol\n# end of timeline\nstate: in_progress\n",
		},
		{
			name: "append with a multi-line note",
			in:   "timeline:\n    -   at: x\n        state: new\n",
			edit: appendEntry("x2", "resolved", "bob", "one\ntwo"),
			want: "timeline:\n    -   at: x\n        state: new\n    -   at: x2\n        state: resolved\n        by: bob\n        note: |-\n          one\n          two\n",
		},
		{
			name: "append creates a missing timeline",
			in:   "state: new\n",
			edit: appendEntry("x", "new", "alice", ""),
			want: "state: new\ntimeline:\n  - at: x\n    state: new\n    by: alice\n",
		},
		{
			name: "append creates a timeline in the document's list style",
			in:   "tags:\n- a\nstate: new\ntimeline: []\n",
			edit: appendEntry("x", "new", "alice", ""),
			want: "tags:\n- a\nstate: new\ntimeline:\n- at: x\n  state: new\n  by: alice\n",
		},
		{
			name: "append to a flow list",
			in:   "timeline: [{at: x, state: new}]\n",
			edit: appendEntry("x2", "resolved", "bob", ""),
			want: "timeline: [{at: x, state: new}, {at: x2, state: resolved, by: bob}]\n",
		},
		{
			name: "CRLF stays CRLF",
			in:   "id: INC-1\r\nstate: new # c\r\ntimeline:\r\n  - at: x\r\n    state: new\r\n",
			edit: func(d *Doc) error {
				if err := d.Set([]string{"state"}, "in_progress"); err != nil {
					return err
				}
				if err := d.Set([]string{"note"}, "a\nb\n"); err != nil {
					return err
				}
				return d.Append([]string{"timeline"}, []KV{{"at", "x2"}, {"state", "in_progress"}})
			},
			want: "id: INC-1\r\nstate: in_progress # c\r\ntimeline:\r\n  - at: x\r\n    state: new\r\n  - at: x2\r\n    state: in_progress\r\nnote: |\r\n  a\r\n  b\r\n",
		},
		{
			name: "a byte order mark is kept",
			in:   "\ufeffid: INC-1\nstate: new\n",
			edit: set("resolved", "state"),
			want: "\ufeffid: INC-1\nstate: resolved\n",
		},
		{
			name: "no final newline: replace the last value",
			in:   "id: INC-1\nstate: new",
			edit: set("resolved", "state"),
			want: "id: INC-1\nstate: resolved",
		},
		{
			name: "no final newline: add a key",
			in:   "id: INC-1\nstate: new",
			edit: set("P1", "priority"),
			want: "id: INC-1\nstate: new\npriority: P1",
		},
		{
			name: "no final newline: add a literal that keeps its newline",
			in:   "id: INC-1",
			edit: set("a\nb\n", "note"),
			want: "id: INC-1\nnote: |\n  a\n  b\n",
		},
		{
			name: "no final newline: delete the last key",
			in:   "id: INC-1\nstate: new",
			edit: func(d *Doc) error { return d.Delete("state") },
			want: "id: INC-1",
		},
		{
			name: "empty document",
			in:   "# a new record\n",
			edit: set("INC-1", "id"),
			want: "# a new record\nid: INC-1\n",
		},
		{
			name: "keys that need quotes",
			in:   "a: 1\n",
			edit: set("x", "no"),
			want: "a: 1\n\"no\": x\n",
		},
		{
			name: "numbers and booleans",
			in:   "a: x\n",
			edit: func(d *Doc) error {
				for _, kv := range []KV{{"i", -7}, {"u", uint8(7)}, {"f", 2.0}, {"g", 1e21}, {"b", true}} {
					if err := d.Set([]string{kv.Key}, kv.Value); err != nil {
						return err
					}
				}
				return nil
			},
			want: "a: x\ni: -7\nu: 7\nf: 2.0\ng: 1e+21\nb: true\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: got error %v, want nil", err)
			}
			if err := tt.edit(d); err != nil {
				t.Fatalf("edit: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, string(d.Bytes())); diff != "" {
				t.Errorf("got document differing from want (-want +got):\n%s", diff)
			}
		})
	}
}

func appendEntry(at, state, by, note string) func(*Doc) error {
	return func(d *Doc) error {
		item := []KV{{"at", at}, {"state", state}, {"by", by}}
		if note != "" {
			item = append(item, KV{"note", note})
		}
		return d.Append([]string{"timeline"}, item)
	}
}

// commented is a record with comments everywhere and a custom field.
const commented = `# Incident raised by the on-call engineer.
apiVersion: gitsm/v1   # schema version
kind: Incident
id: INC-000124

# --- what happened ---
title: 'Payments: retries exhausted'   # keep quotes
state: new # triage pending
impact: 1
urgency: 1
opened_at: 2026-03-02T10:14:00Z
x-custom:
  # anything goes here
  ticket: "SNOW-1"
  links: [a, b]   # two
description: >-
  Folded text that
  spans lines.
timeline:
  # first entry
  - at: 2026-03-02T10:14:00Z   # opened
    state: new
    by: alice # on call
  # nothing else yet
# trailing comment
`

func TestCommentedDocument(t *testing.T) {
	d, err := Parse([]byte(commented))
	if err != nil {
		t.Fatalf("Parse: got error %v, want nil", err)
	}
	steps := []error{
		d.Set([]string{"state"}, "in_progress"),
		d.SetAfter([]string{"acknowledged_at"}, "2026-03-02T10:20:00Z", "opened_at"),
		d.Set([]string{"x-custom", "ticket"}, "SNOW-2"),
		d.Set([]string{"title"}, "Payments: retries exhausted again"),
		d.Append([]string{"timeline"}, []KV{{"at", "2026-03-02T10:20:00Z"}, {"state", "in_progress"}, {"by", "bob"}}),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: got error %v, want nil", i, err)
		}
	}
	removed, added := lineDiff(commented, string(d.Bytes()))
	wantRemoved := []string{
		"title: 'Payments: retries exhausted'   # keep quotes",
		"state: new # triage pending",
		`  ticket: "SNOW-1"`,
	}
	wantAdded := []string{
		"title: 'Payments: retries exhausted again'   # keep quotes",
		"state: in_progress # triage pending",
		"acknowledged_at: 2026-03-02T10:20:00Z",
		`  ticket: "SNOW-2"`,
		"  - at: 2026-03-02T10:20:00Z",
		"    state: in_progress",
		"    by: bob",
	}
	if diff := cmp.Diff(wantRemoved, removed); diff != "" {
		t.Errorf("got removed lines differing from want (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantAdded, added); diff != "" {
		t.Errorf("got added lines differing from want (-want +got):\n%s", diff)
	}
	if err := d.Delete("x-custom", "links"); err != nil {
		t.Fatalf("Delete: got error %v, want nil", err)
	}
	removed, added = lineDiff(commented, string(d.Bytes()))
	if got, want := len(removed), len(wantRemoved)+1; got != want {
		t.Errorf("after Delete: got %d removed lines, want %d", got, want)
	}
	if got, want := len(added), len(wantAdded); got != want {
		t.Errorf("after Delete: got %d added lines, want %d", got, want)
	}
}

// lineDiff returns the lines of a missing from b and the lines of b missing from a, in order,
// from a longest common subsequence.
func lineDiff(a, b string) (removed, added []string) {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			added = append(added, y[j])
			j++
		default:
			removed = append(removed, x[i])
			i++
		}
	}
	return removed, added
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"several documents", "a: 1\n---\nb: 2\n", ErrUnsupported},
		{"a list at the top", "- a\n- b\n", ErrUnsupported},
		{"a scalar at the top", "hello\n", ErrUnsupported},
		{"an anchor", "a: &x 1\nb: 2\n", ErrUnsupported},
		{"an alias", "a: &x 1\nb: *x\n", ErrUnsupported},
		{"a merge key", "a: {x: 1}\nb:\n  <<: {y: 2}\n", ErrUnsupported},
		{"a duplicate key", "a: 1\na: 2\n", ErrUnsupported},
		{"a complex key", "? [a, b]\n: 1\n", ErrUnsupported},
		{"an explicit key", "a: 1\n? b\n: 2\n", ErrUnsupported},
		{"an explicit key in a flow mapping", "a: {? b : 2}\n", ErrUnsupported},
		{"a syntax error", "a: [1, 2\n", ErrSyntax},
		{"invalid UTF-8", "a: \xff\n", ErrSyntax},
		{"UTF-16", "\xff\xfea\x00:\x00", ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse: got error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEditErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		edit func(*Doc) error
		want error
	}{
		{"set through a scalar", "a: 1\n", func(d *Doc) error { return d.Set([]string{"a", "b"}, 1) }, ErrType},
		{"set through a list", "a: [1]\n", func(d *Doc) error { return d.Set([]string{"a", "b"}, 1) }, ErrType},
		{"unsupported value type", "a: 1\n", func(d *Doc) error { return d.Set([]string{"a"}, struct{}{}) }, ErrValue},
		{"invalid UTF-8 value", "a: 1\n", func(d *Doc) error { return d.Set([]string{"a"}, "\xff") }, ErrValue},
		{"empty path", "a: 1\n", func(d *Doc) error { return d.Set(nil, 1) }, ErrNotFound},
		{"delete a missing key", "a: 1\n", func(d *Doc) error { return d.Delete("b") }, ErrNotFound},
		{"delete under a scalar", "a: 1\n", func(d *Doc) error { return d.Delete("a", "b") }, ErrNotFound},
		{"append to a scalar", "a: 1\n", func(d *Doc) error { return d.Append([]string{"a"}, []KV{{"x", 1}}) }, ErrType},
		{"duplicate keys in an item", "a: []\n", func(d *Doc) error { return d.Append([]string{"a"}, []KV{{"x", 1}, {"x", 2}}) }, ErrValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: got error %v, want nil", err)
			}
			err = tt.edit(d)
			if !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
			if got := string(d.Bytes()); got != tt.in {
				t.Errorf("after a failed edit: got document %q, want it unchanged %q", got, tt.in)
			}
		})
	}
}

// TestQuoting checks that every string comes back as the same string, whatever it holds.
func TestQuoting(t *testing.T) {
	values := []string{
		"no", "No", "on", "off", "yes", "y", "n", "true", "null", "~", "", " ", "1", "1.5", "-1", "+1",
		"0x1f", "0o17", "1_000", "1e3", ".inf", ".nan", "2026-01-02", "1:30", "09:00", " lead", "trail ",
		"a: b", "a #b", "a:", "- x", "-x", "[x", "{x", "*x", "&x", "!x", "|x", ">x", "'x", "\"x", "%x",
		"@x", "`x", "#x", "? x", "---", "...", "<<", "a,b", "tab\there", "nul\x00", "bell\a", "del\x7f",
		"nel\u0085", "ls\u2028", "bom\ufeff", "é ü", "emoji 🙂", "line\nbreak", "\nlead", "trail\n\n",
		"cr\r\nlf", "  \n", "a\n  \nb", "back\\slash", "it's", `say "hi"`,
	}
	styles := []string{"k: plain\n", "k: 'single'\n", "k: \"double\"\n", "k: |\n  literal\n", "k: [flow]\n", "{k: flow}\n", "x: 1\n"}
	for _, in := range styles {
		for _, v := range values {
			d, err := Parse([]byte(in))
			if err != nil {
				t.Fatalf("Parse(%q): got error %v, want nil", in, err)
			}
			if err := d.Set([]string{"k"}, v); err != nil {
				t.Errorf("Set(%q) in %q: got error %v, want nil", v, in, err)
				continue
			}
			var got struct{ K *string }
			if err := yaml.Unmarshal(d.Bytes(), &got); err != nil || got.K == nil || *got.K != v {
				t.Errorf("Set(%q) in %q: got document %q, want it to read back the value", v, in, d.Bytes())
			}
			if strings.Contains(string(d.Bytes()), "\t") {
				t.Errorf("Set(%q) in %q: got a tab in %q, want none", v, in, d.Bytes())
			}
		}
	}
}

// TestUnusualLayouts applies every kind of edit to valid documents laid out in unusual ways:
// each edit must succeed, or fail only because the value at the path has the wrong kind.
func TestUnusualLayouts(t *testing.T) {
	docs := []string{
		incident,
		commented,
		"a: !!str 12\nb: !!int '3'\nc: !custom x\n",
		"a:\n  b:\n    c: 1\n    d: [1, 2]\n  e: |2\n     indented\n  f: >-\n    folded\nafter: 1\n",
		"  a: 1\n  b:\n    - x\n    - y\n",
		"a: {b: {c: 1}, d: [1, {e: 2}]}\n",
		"a: 'multi\n  line'\nb: \"esc\\\"aped\"\n",
		"a:\n- - x\n  - y\n- z\nb: 1\n",
		"%YAML 1.1\n---\na: 1\n...\n",
		"a: 1 # c\n\n\n# foot\n",
		"a: |\n  x\n\n  y\n\n\nb: 2\n",
		"a:\n  # only comment\nb: 2\n",
		"a: x\tb\nc: 1\t# tab\n",
		"é: ü\nkey: value\n",
		"\"quoted key\": 1\n'k2': 2\n",
		"a: [\n  1,\n  2,\n]\n",
		"a: {x: 1,\n  y: 2}\nb: 3\n",
		"list:\n  - |\n    lit\n  - plain\n",
		"a: b\r\nc: |\r\n  x\r\n  y\r\nd: 1\r\n",
		"a: 1\rb: 2\r",
		"a: x\u2028b: y\n",
		"timeline:\n  - at: x\n    note: |\n      multi\n      # not a comment\n\n  # real comment\nb: 1\n",
		"timeline:\n  - at: x\n    note: |+\n      keep\n\n\nb: 1\n",
		"a:\n  b: |\n    x\n  # c\nc: 1\n",
		"a: 1\nb:\n\n\n  c: 2\n",
		"a: >\n\n  leading blank\nb: 1\n",
		"a: \"x\" # c\nb: 'y' # d\nc: [1] # e\nd: {} # f\n",
		"---\n# comment\na: 1\n",
		"a:\n  - b: 1\n    c: 2\n  - d\n",
		"{a: 1, b: [x, y]}",
		"a: [x, {b: 1}]\nc: d\n",
	}
	paths := [][]string{{"a"}, {"b"}, {"c"}, {"a", "b"}, {"a", "b", "c"}, {"a", "new"}, {"new"}, {"list"},
		{"timeline"}, {"x-custom", "links"}, {"description"}, {"é"}, {"quoted key"}, {"k2"}}
	values := []any{"s", "two\nlines\n", 5, nil, []string{"p", "q"}, []KV{{"k", "v"}}}
	for _, doc := range docs {
		parse := func() *Doc {
			d, err := Parse([]byte(doc))
			if err != nil {
				t.Fatalf("Parse(%q): got error %v, want nil", doc, err)
			}
			return d
		}
		for _, p := range paths {
			for _, v := range values {
				if err := parse().Set(p, v); err != nil && !errors.Is(err, ErrType) {
					t.Errorf("Set(%q, %#v) in %q: got error %v, want nil or ErrType", p, v, doc, err)
				}
			}
			if d := parse(); hasPath(d, p) {
				if err := d.Delete(p...); err != nil {
					t.Errorf("Delete(%q) in %q: got error %v, want nil", p, doc, err)
				}
			}
			if err := parse().Append(p, []KV{{"at", "x"}, {"note", "a\nb"}}); err != nil && !errors.Is(err, ErrType) {
				t.Errorf("Append(%q) in %q: got error %v, want nil or ErrType", p, doc, err)
			}
		}
	}
}

func hasPath(d *Doc, path []string) bool {
	_, ok := d.Get(path...)
	return ok
}
