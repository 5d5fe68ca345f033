package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitsm/gitsm/internal/authoring"
	"github.com/gitsm/gitsm/internal/cmd/set"
	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/config"
	"github.com/gitsm/gitsm/internal/index"
	"github.com/gitsm/gitsm/internal/lifecycle"
	"github.com/gitsm/gitsm/internal/record"
)

// completions wires the dynamic shell completions into the command tree, in one place: the
// --format values each command offers, record kinds, record IDs from the index and the states
// a record may move to. A completion that cannot answer (no repository, a broken setting)
// offers nothing rather than files.
func completions(f *command.Factory, root *cobra.Command) {
	_ = root.RegisterFlagCompletionFunc("format", func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return command.Formats(cmd), cobra.ShellCompDirectiveNoFileComp
	})
	first := func(complete func(cmd *cobra.Command, toComplete string) []cobra.Completion) cobra.CompletionFunc {
		return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return complete(cmd, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
	}
	kinds := first(func(_ *cobra.Command, _ string) []cobra.Completion { return kindNames() })
	ids := func(only ...record.Kind) cobra.CompletionFunc {
		return first(func(cmd *cobra.Command, toComplete string) []cobra.Completion {
			return recordIDs(f, cmd, toComplete, only)
		})
	}
	for path, fn := range map[string]cobra.CompletionFunc{
		"list":       kinds,
		"new":        kinds,
		"show":       ids(),
		"set":        setArgs(f),
		"impact":     ids(record.CI),
		"transition": transitionArgs(f),
	} {
		if c, _, err := root.Find([]string{path}); err == nil && c.Name() == path {
			c.ValidArgsFunction = fn
		}
	}
}

// kindNames are the kinds as commands take them.
func kindNames() []cobra.Completion {
	out := make([]cobra.Completion, 0, len(record.Kinds))
	for _, k := range record.Kinds {
		out = append(out, k.Key)
	}
	return out
}

// loadIndex builds the index of the repository the command runs in, reusing its cache.
func loadIndex(f *command.Factory, cmd *cobra.Command, kinds []record.Kind) *index.Index {
	root, err := f.Root()
	if err != nil {
		return nil
	}
	ix, _, err := index.Load(cmd.Context(), root, index.Options{Version: f.Version, Kinds: kinds})
	if err != nil {
		return nil
	}
	return ix
}

// recordIDs are the IDs of the records (of the kinds given, or all) that start with prefix,
// each with its title as the description.
func recordIDs(f *command.Factory, cmd *cobra.Command, prefix string, kinds []record.Kind) []cobra.Completion {
	if k, ok := kindOfPrefix(f, prefix); ok && (len(kinds) == 0 || slices.Contains(kinds, k)) {
		kinds = []record.Kind{k} // INC-… : only the incidents need indexing
	}
	ix := loadIndex(f, cmd, kinds)
	if ix == nil {
		return nil
	}
	var out []cobra.Completion
	for _, r := range ix.Records() {
		if r.ID != "" && strings.HasPrefix(strings.ToUpper(r.ID), strings.ToUpper(prefix)) {
			out = append(out, cobra.CompletionWithDesc(r.ID, r.Title))
		}
	}
	return out
}

// kindOfPrefix is the numbered kind whose configured ID prefix starts what is typed, once the
// dash after the prefix is there.
func kindOfPrefix(f *command.Factory, typed string) (record.Kind, bool) {
	letters, _, dash := strings.Cut(typed, "-")
	if !dash {
		return "", false
	}
	root, err := f.Root()
	if err != nil {
		return "", false
	}
	cfg, err := config.Load(root)
	if err != nil {
		return "", false
	}
	for _, info := range record.Kinds {
		if info.Numbered && strings.EqualFold(cfg.Prefixes[info.Key], letters) {
			return info.Kind, true
		}
	}
	return "", false
}

// setArgs completes `gitsm set ID field=value...`: record IDs, then the fields the record's kind
// has that set may edit (as `field=`), and after `field=` the field's choices when it has some.
func setArgs(f *command.Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return recordIDs(f, cmd, toComplete, nil), cobra.ShellCompDirectiveNoFileComp
		}
		var kinds []record.Kind
		if k, ok := kindOfPrefix(f, args[0]); ok {
			kinds = []record.Kind{k}
		}
		ix := loadIndex(f, cmd, kinds)
		if ix == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		r := ix.Record(args[0])
		if r == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		root, err := f.Root()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cfg, err := config.Load(root)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		fields, err := authoring.LoadFields(cfg)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if name, _, ok := strings.Cut(toComplete, "="); ok {
			shape, err := fields.Lookup(r.Kind, strings.Split(name, "."))
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, v := range shape.Enum {
				out = append(out, name+"="+v)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		if shape := fields.Kind(r.Kind); shape != nil {
			for _, name := range shape.Order {
				if set.Refused(r.Kind, name) == "" && strings.HasPrefix(name, toComplete) {
					out = append(out, name+"=")
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// transitionArgs completes `gitsm transition ID STATE`: IDs of records with a state machine,
// then the states the record may move to from where it is.
func transitionArgs(f *command.Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return recordIDs(f, cmd, toComplete, []record.Kind{record.Incident, record.Problem, record.Change, record.CI}), cobra.ShellCompDirectiveNoFileComp
		case 1:
			return nextStates(loadIndex(f, cmd, nil), args[0]), cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// nextStates are the states the record id may move to next.
func nextStates(ix *index.Index, id string) []cobra.Completion {
	if ix == nil {
		return nil
	}
	r := ix.Record(strings.ToUpper(id))
	if r == nil {
		r = ix.Record(id)
	}
	if r == nil {
		return nil
	}
	m, ok := lifecycle.For(string(r.Kind), r.Fields.String("type"))
	if !ok {
		return nil
	}
	state := r.Fields.String("state")
	if r.Kind == record.CI {
		state = r.Fields.String("lifecycle")
	}
	return m.Next[state]
}
