package benchgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// HistoryOptions shape the repository HistoryStream emits.
type HistoryOptions struct {
	// Commits is the total number of commits (main and pull-request branches).
	Commits int
	// Records is the number of record files at the end.
	Records int
	// Seed makes the stream reproducible: the same options give the same bytes.
	Seed int64
	// Start is the date of the first commit; commits follow every 30 minutes.
	Start time.Time
}

// HistoryStream writes a `git fast-import` stream of a records repository with a long history,
// for benchmarks of the history index and the audit: a first commit imports a fifth of the
// records, then every commit opens two or three records and moves one or two existing ones a
// state further along, with a timeline entry. One commit in three reaches main through a pull
// request (a branch commit and a `Merge pull request #N` merge), one in five is a squash merge
// `… (#N)`, the rest are direct commits. Records live in year/month folders.
func HistoryStream(w io.Writer, o HistoryOptions) error {
	if o.Start.IsZero() {
		o.Start = time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	}
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x6869737430))
	b := bufio.NewWriterSize(w, 1<<20)
	g := &histGen{w: b, rng: rng, start: o.Start}
	initial := o.Records / 5
	if initial < 1 {
		initial = 1
	}
	// The kind of each commit after the first: a pull request takes two (branch and merge).
	var plan []byte
	for made := 1; made < o.Commits; {
		switch {
		case made%3 == 0 && made+2 <= o.Commits:
			plan = append(plan, 'm')
			made += 2
		case made%5 == 0:
			plan = append(plan, 's')
			made++
		default:
			plan = append(plan, 'd')
			made++
		}
	}
	perCommit := float64(o.Records-initial) / float64(max(1, len(plan)))
	g.commitMain("Import records", func() {
		for range initial {
			g.open()
		}
	})
	owed := 0.0
	for i, kind := range plan {
		owed += perCommit
		n := int(owed)
		owed -= float64(n)
		if i == len(plan)-1 || len(g.recs)+n > o.Records {
			n = o.Records - len(g.recs)
		}
		edit := func() {
			for range n {
				g.open()
			}
			for range 1 + rng.IntN(2) {
				g.progress()
			}
		}
		switch kind {
		case 'm':
			g.pr++
			g.mergePR(edit)
		case 's':
			g.pr++
			g.commitMain(fmt.Sprintf("Records update (#%d)", g.pr), edit)
		default:
			g.commitMain("Records update", edit)
		}
	}
	return b.Flush()
}

type histRec struct {
	id, path string
	kind     byte
	state    int
	opened   time.Time
	timeline []string
}

type histGen struct {
	w      *bufio.Writer
	rng    *rand.Rand
	start  time.Time
	recs   []*histRec
	mark   int
	main   int // mark of main's tip
	clock  int
	pr     int
	change []string // file modifications of the commit being built
}

var (
	histIncidentStates = []string{"new", "in_progress", "resolved", "closed"}
	histChangeStates   = []string{"new", "assess", "authorize", "scheduled", "implement", "review", "closed"}
	histPeople         = []string{"grace", "heidi", "frank", "ivan", "judy", "peggy"}
)

func (g *histGen) now() time.Time { return g.start.Add(time.Duration(g.clock) * 30 * time.Minute) }

func (g *histGen) open() {
	n := len(g.recs) + 1
	r := &histRec{kind: 'I', opened: g.now()}
	prefix, folder := "INC", "incidents"
	if n%4 == 0 {
		r.kind, prefix, folder = 'C', "CHG", "changes"
	}
	r.id = fmt.Sprintf("%s-%06d", prefix, n)
	r.path = fmt.Sprintf("%s/%04d/%02d/%s.yaml", folder, r.opened.Year(), int(r.opened.Month()), r.id)
	r.timeline = append(r.timeline, g.entry("new"))
	g.recs = append(g.recs, r)
	g.put(r)
}

func (g *histGen) entry(state string) string {
	return fmt.Sprintf("  - at: %s\n    state: %s\n    by: %s\n    note: step %d of the benchmark history\n",
		g.now().Format(time.RFC3339), state, histPeople[g.rng.IntN(len(histPeople))], g.clock)
}

// progress moves a random open record one state further.
func (g *histGen) progress() {
	if len(g.recs) == 0 {
		return
	}
	for range 8 {
		r := g.recs[g.rng.IntN(len(g.recs))]
		states := histIncidentStates
		if r.kind == 'C' {
			states = histChangeStates
		}
		if r.state+1 >= len(states) {
			continue
		}
		r.state++
		r.timeline = append(r.timeline, g.entry(states[r.state]))
		g.put(r)
		return
	}
}

func (g *histGen) put(r *histRec) {
	var s string
	if r.kind == 'C' {
		s = fmt.Sprintf("apiVersion: gitsm/v1\nkind: Change\nid: %s\ntitle: Change %s for the benchmark\ntype: normal\nstate: %s\nrisk: moderate\ncis: [orders-db]\nrequested_by: grace\nassignment_group: dba\n",
			r.id, r.id, histChangeStates[r.state])
	} else {
		s = fmt.Sprintf("apiVersion: gitsm/v1\nkind: Incident\nid: %s\ntitle: Incident %s for the benchmark\nstate: %s\nimpact: 2\nurgency: 2\nopened_at: %s\n",
			r.id, r.id, histIncidentStates[r.state], r.opened.Format(time.RFC3339))
	}
	s += "timeline:\n"
	for _, e := range r.timeline {
		s += e
	}
	g.change = append(g.change, fmt.Sprintf("M 100644 inline %s\ndata %d\n%s\n", r.path, len(s), s))
}

// commit writes one commit of the changes edit makes, on ref, from parent (0: a root) and
// merging other (0: none); it returns the commit's mark.
func (g *histGen) commit(ref, subject string, parent, other int, edit func()) int {
	g.change = g.change[:0]
	edit()
	return g.emit(ref, subject, parent, other)
}

func (g *histGen) emit(ref, subject string, parent, other int) int {
	g.clock++
	g.mark++
	who := histPeople[g.clock%len(histPeople)]
	when := g.now().Unix()
	fmt.Fprintf(g.w, "commit %s\nmark :%d\nauthor %s <%s@example.com> %d +0000\ncommitter %s <%s@example.com> %d +0000\ndata %d\n%s\n",
		ref, g.mark, who, who, when, who, who, when, len(subject), subject)
	if parent != 0 {
		fmt.Fprintf(g.w, "from :%d\n", parent)
	}
	if other != 0 {
		fmt.Fprintf(g.w, "merge :%d\n", other)
	}
	for _, c := range g.change {
		g.w.WriteString(c)
	}
	g.w.WriteString("\n")
	return g.mark
}

func (g *histGen) commitMain(subject string, edit func()) {
	g.main = g.commit("refs/heads/main", subject, g.main, 0, edit)
}

// mergePR makes a branch commit off main and merges it with a merge commit whose tree has the
// branch's changes.
func (g *histGen) mergePR(edit func()) {
	side := g.commit(fmt.Sprintf("refs/heads/pr/%d", g.pr), fmt.Sprintf("Work for pull request %d", g.pr), g.main, 0, edit)
	g.main = g.emit("refs/heads/main", fmt.Sprintf("Merge pull request #%d from org/pr-%d", g.pr, g.pr), g.main, side)
}
