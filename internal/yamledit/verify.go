package yamledit

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The canonical form of a document's content, compared with reflect.DeepEqual to verify an
// edit: mappings keep their order, scalars are reduced to what they mean. Strings and
// timestamps are both strings, as gitsm reads them.
type (
	cpair struct {
		k string
		v any
	}
	cmap   []cpair
	cseq   []any
	cint   string // the decimal value
	cfloat string // strconv 'g' formatting, or NaN, +Inf, -Inf
	ctag   struct{ tag, val string }
)

func (m cmap) index(k string) int {
	for i, p := range m {
		if p.k == k {
			return i
		}
	}
	return -1
}

// canon returns the canonical form of n; an absent root is an empty mapping.
func canon(n *yaml.Node) any {
	if n == nil {
		return cmap{}
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(cmap, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m = append(m, cpair{n.Content[i].Value, canon(n.Content[i+1])})
		}
		return m
	case yaml.SequenceNode:
		s := make(cseq, 0, len(n.Content))
		for _, c := range n.Content {
			s = append(s, canon(c))
		}
		return s
	case yaml.ScalarNode:
		return canonScalar(n)
	}
	return ctag{"kind", strconv.Itoa(int(n.Kind))}
}

func canonScalar(n *yaml.Node) any {
	tag := n.ShortTag()
	switch tag {
	case "!!str", "!!timestamp":
		return n.Value
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return cint(strconv.FormatInt(i, 10))
		}
		var u uint64
		if n.Decode(&u) == nil {
			return cint(strconv.FormatUint(u, 10))
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return canonFloat(f)
		}
	}
	return ctag{tag, n.Value}
}

func canonFloat(f float64) cfloat {
	if math.IsNaN(f) {
		return "NaN"
	}
	return cfloat(strconv.FormatFloat(f, 'g', -1, 64))
}

// canon returns the canonical form of the value as written.
func (v value) canon() any {
	switch v.kind {
	case seqKind:
		s := make(cseq, 0, len(v.items))
		for _, it := range v.items {
			s = append(s, it.canon())
		}
		return s
	case mapKind:
		m := make(cmap, 0, len(v.keys))
		for i, k := range v.keys {
			m = append(m, cpair{k, v.vals[i].canon()})
		}
		return m
	}
	switch x := v.s.(type) {
	case int64:
		return cint(strconv.FormatInt(x, 10))
	case uint64:
		return cint(strconv.FormatUint(x, 10))
	case float64:
		return canonFloat(x)
	}
	return v.s
}

func nestCanon(path []string, v any) any {
	for i := len(path) - 1; i >= 0; i-- {
		v = cmap{{path[i], v}}
	}
	return v
}

// insertAfter returns m with k: v added after the first of the keys in after that m holds,
// or at the end.
func (m cmap) insertAfter(k string, v any, after []string) cmap {
	for _, a := range after {
		if j := m.index(a); j >= 0 {
			out := append(cmap{}, m[:j+1]...)
			out = append(out, cpair{k, v})
			return append(out, m[j+1:]...)
		}
	}
	return append(m, cpair{k, v})
}

// withSet returns root with v set at path, as Set does it.
func withSet(root any, path []string, v any, after []string) (any, error) {
	m, ok := root.(cmap)
	if !ok {
		return nil, fmt.Errorf("%w: not a mapping", ErrType)
	}
	i := m.index(path[0])
	switch {
	case i < 0:
		return m.insertAfter(path[0], nestCanon(path[1:], v), after), nil
	case len(path) == 1:
		m[i].v = v
	case m[i].v == nil:
		m[i].v = nestCanon(path[1:], v)
	default:
		sub, err := withSet(m[i].v, path[1:], v, after)
		if err != nil {
			return nil, err
		}
		m[i].v = sub
	}
	return m, nil
}

// withDelete returns root without the key at path.
func withDelete(root any, path []string) (any, error) {
	m, ok := root.(cmap)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, strings.Join(path, "."))
	}
	i := m.index(path[0])
	if i < 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, strings.Join(path, "."))
	}
	if len(path) == 1 {
		return append(m[:i:i], m[i+1:]...), nil
	}
	sub, err := withDelete(m[i].v, path[1:])
	if err != nil {
		return nil, err
	}
	m[i].v = sub
	return m, nil
}

// withAppend returns root with item added to the list at path, as Append does it.
func withAppend(root any, path []string, item any) (any, error) {
	m, ok := root.(cmap)
	if !ok {
		return nil, fmt.Errorf("%w: not a mapping", ErrType)
	}
	i := m.index(path[0])
	switch {
	case i < 0:
		return append(m, cpair{path[0], nestCanon(path[1:], cseq{item})}), nil
	case m[i].v == nil:
		m[i].v = nestCanon(path[1:], cseq{item})
	case len(path) == 1:
		s, ok := m[i].v.(cseq)
		if !ok {
			return nil, fmt.Errorf("%w: %s is not a list", ErrType, path[0])
		}
		m[i].v = append(s, item)
	default:
		sub, err := withAppend(m[i].v, path[1:], item)
		if err != nil {
			return nil, err
		}
		m[i].v = sub
	}
	return m, nil
}
