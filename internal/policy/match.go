package policy

import (
	"path"
	"slices"
	"strings"
)

// matchGlob reports whether a slash-separated repository path matches a policy glob: * ? and
// [..] match within one segment (as path.Match), ** matches any number of whole segments.
func matchGlob(pattern, name string) bool {
	name = strings.TrimPrefix(name, "./")
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 1 && pat[1] == "**" {
				pat = pat[1:]
			}
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// ciGraph answers questions about the CIs a change affects.
type ciGraph struct {
	cis map[string]map[string]any
	// dependents maps a CI to the CIs that name it in depends_on or runs_on.
	dependents map[string][]string
}

func newCIGraph(cis map[string]map[string]any) *ciGraph {
	g := &ciGraph{cis: cis, dependents: map[string][]string{}}
	ids := make([]string, 0, len(cis))
	for id := range cis {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, field := range []string{"depends_on", "runs_on"} {
			for _, dep := range stringList(cis[id][field]) {
				g.dependents[dep] = append(g.dependents[dep], id)
			}
		}
	}
	return g
}

// impacted returns the affected CIs and every CI that depends on one of them, transitively.
func (g *ciGraph) impacted(affected []string) map[string]bool {
	seen := map[string]bool{}
	queue := append([]string(nil), affected...)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		queue = append(queue, g.dependents[id]...)
	}
	return seen
}

// criticality reads a CI's criticality; 0 when it has none.
func criticality(ci map[string]any) int {
	switch v := ci["criticality"].(type) {
	case int64:
		return int(v)
	case int:
		return v
	case float64:
		if v == float64(int(v)) {
			return int(v)
		}
	}
	return 0
}

// matches reports whether a rule's record selectors hold for one version of a change.
func (g *ciGraph) matches(m Match, rec map[string]any) bool {
	if len(m.Paths) > 0 {
		return false
	}
	if len(m.Types) > 0 && !slices.Contains(m.Types, str(rec, "type")) {
		return false
	}
	if len(m.Risks) > 0 && !slices.Contains(m.Risks, str(rec, "risk")) {
		return false
	}
	cis := stringList(rec["cis"])
	if len(m.Environments) > 0 && !g.anyCI(cis, func(ci map[string]any) bool {
		return slices.Contains(m.Environments, str(ci, "environment"))
	}) {
		return false
	}
	if m.MaxCriticality > 0 && !g.anyCI(cis, func(ci map[string]any) bool {
		c := criticality(ci)
		return c >= 1 && c <= m.MaxCriticality
	}) {
		return false
	}
	if len(m.Criticality) > 0 && !g.anyCI(cis, func(ci map[string]any) bool {
		return slices.Contains(m.Criticality, criticality(ci))
	}) {
		return false
	}
	if len(m.CIs) > 0 && !slices.ContainsFunc(cis, func(id string) bool { return slices.Contains(m.CIs, id) }) {
		return false
	}
	if len(m.Services) > 0 {
		hit := slices.Contains(m.Services, str(rec, "service"))
		if !hit {
			for id := range g.impacted(cis) {
				if slices.Contains(m.Services, id) {
					hit = true
					break
				}
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

func (g *ciGraph) anyCI(ids []string, pred func(map[string]any) bool) bool {
	for _, id := range ids {
		if ci, ok := g.cis[id]; ok && pred(ci) {
			return true
		}
	}
	return false
}
