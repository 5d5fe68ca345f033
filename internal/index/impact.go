package index

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gitsm/gitsm/internal/record"
)

// Item is a record as impact and show list it.
type Item struct {
	ID       string      `json:"id"`
	Kind     record.Kind `json:"kind"`
	State    string      `json:"state,omitempty"`
	Priority string      `json:"priority,omitempty"`
	Title    string      `json:"title"`
	Open     bool        `json:"open"`
}

// ItemOf makes the Item of a record.
func ItemOf(r *record.Record) Item {
	return Item{ID: r.ID, Kind: r.Kind, State: r.String("state"), Priority: r.String("priority"), Title: r.Title, Open: Open(r)}
}

// Node is one CI of an impact tree: the CI, how it depends on its parent node, its open
// incidents, problems and changes, and the CIs that depend on it in turn.
type Node struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Class       string   `json:"class,omitempty"`
	Environment string   `json:"environment,omitempty"`
	Via         []string `json:"via,omitempty"` // depends_on and/or runs_on, towards the parent node
	Incidents   []Item   `json:"incidents"`
	Problems    []Item   `json:"problems"`
	Changes     []Item   `json:"changes"`
	Dependents  []*Node  `json:"dependents"`
	// Repeat marks a CI reached again by another path (or a cycle): its dependents are
	// listed where it first appears.
	Repeat bool `json:"repeat,omitempty"`
	// Truncated marks a CI whose dependents the depth limit left out.
	Truncated bool `json:"truncated,omitempty"`
}

// Impact is the result of an impact analysis.
type Impact struct {
	Root *Node `json:"root"`
	// CIs counts the distinct CIs that depend on the root, directly or not.
	CIs int `json:"cis"`
	// Open counts the distinct open records on the root and every CI of the tree.
	Open OpenCounts `json:"open"`
}

// OpenCounts counts open records by kind.
type OpenCounts struct {
	Incidents int `json:"incidents"`
	Problems  int `json:"problems"`
	Changes   int `json:"changes"`
}

// NotCIError says an impact analysis was asked for a record that is not a CI.
type NotCIError struct {
	ID   string
	Kind record.Kind
}

// Error says what the record is instead.
func (e *NotCIError) Error() string {
	article := "a"
	if strings.ContainsRune("AEIOU", rune(string(e.Kind)[0])) {
		article = "an"
	}
	return fmt.Sprintf("%s is %s %s, not a CI; impact follows the CIs that depend on a CI", e.ID, article, e.Kind)
}

// Impact walks the reverse depends_on and runs_on edges from a CI: every CI that depends on
// it or runs on it, directly or transitively, to depth levels (0: no limit). Each CI is
// expanded once, where it is closest to the root; other paths to it mark it Repeat, so
// diamonds stay small and cycles end.
func (ix *Index) Impact(id string, depth int) (*Impact, error) {
	root := ix.Record(id)
	if root == nil {
		return nil, fmt.Errorf("no record %s", id)
	}
	if root.Kind != record.CI {
		return nil, &NotCIError{ID: id, Kind: root.Kind}
	}
	// Breadth first: the level at which each CI is first reached.
	dist := map[string]int{id: 0}
	for frontier, level := []string{id}, 0; len(frontier) > 0 && (depth == 0 || level < depth); level++ {
		var next []string
		for _, n := range frontier {
			deps, _ := ix.dependents(n)
			for _, d := range deps {
				if _, ok := dist[d]; !ok {
					dist[d] = level + 1
					next = append(next, d)
				}
			}
		}
		frontier = next
	}
	res := &Impact{CIs: len(dist) - 1}
	expanded := map[string]bool{}
	open := map[string]bool{}
	var expand func(n *Node, level int)
	expand = func(n *Node, level int) {
		expanded[n.ID] = true
		ix.fillOpen(n, open, res)
		deps, via := ix.dependents(n.ID)
		if len(deps) > 0 && depth > 0 && level >= depth {
			n.Truncated = true
			return
		}
		for _, d := range deps {
			child := ix.node(d)
			child.Via = via[d]
			n.Dependents = append(n.Dependents, child)
			if expanded[d] || dist[d] != level+1 {
				child.Repeat = true
				continue
			}
			expand(child, level+1)
		}
	}
	res.Root = ix.node(id)
	expand(res.Root, 0)
	return res, nil
}

func (ix *Index) node(id string) *Node {
	r := ix.Record(id)
	return &Node{ID: id, Title: r.Title, Class: r.String("class"), Environment: r.String("environment"),
		Incidents: []Item{}, Problems: []Item{}, Changes: []Item{}, Dependents: []*Node{}}
}

// dependents returns the CIs that depend on or run on a CI, sorted, with the fields that make
// them so.
func (ix *Index) dependents(id string) ([]string, map[string][]string) {
	var deps []string
	via := map[string][]string{}
	for _, l := range ix.In(id) {
		if l.Kind != record.CI || (l.Field != "depends_on" && l.Field != "runs_on") {
			continue
		}
		if _, ok := via[l.ID]; !ok {
			deps = append(deps, l.ID)
		}
		if !slices.Contains(via[l.ID], l.Field) {
			via[l.ID] = append(via[l.ID], l.Field)
		}
	}
	slices.SortFunc(deps, CompareIDs)
	return deps, via
}

// fillOpen lists the open incidents, problems and changes that name a CI (in service or cis).
func (ix *Index) fillOpen(n *Node, counted map[string]bool, res *Impact) {
	for _, l := range ix.In(n.ID) {
		if l.Field != "service" && l.Field != "cis" {
			continue
		}
		r := ix.Record(l.ID)
		if r == nil || !Open(r) {
			continue
		}
		var list *[]Item
		var count *int
		switch r.Kind {
		case record.Incident:
			list, count = &n.Incidents, &res.Open.Incidents
		case record.Problem:
			list, count = &n.Problems, &res.Open.Problems
		case record.Change:
			list, count = &n.Changes, &res.Open.Changes
		default:
			continue
		}
		if slices.ContainsFunc(*list, func(it Item) bool { return it.ID == r.ID }) {
			continue
		}
		*list = append(*list, ItemOf(r))
		if !counted[r.ID] {
			counted[r.ID] = true
			*count++
		}
	}
	for _, list := range []*[]Item{&n.Incidents, &n.Problems, &n.Changes} {
		slices.SortFunc(*list, func(a, b Item) int { return CompareIDs(a.ID, b.ID) })
	}
}
