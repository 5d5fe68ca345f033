// Package config reads a records repository's settings, `.gitsm/config.yaml`. Every setting is
// optional; Default gives the values that apply when the file or a key is absent.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitsm/gitsm/internal/record"
)

// Path is where the settings live, relative to the repository root.
const Path = ".gitsm/config.yaml"

// Config is the parsed `.gitsm/config.yaml`.
type Config struct {
	Prefixes       map[string]string         `yaml:"prefixes"`
	IDDigits       int                       `yaml:"id_digits"`
	Layout         map[string]string         `yaml:"layout"`
	PriorityMatrix [][]string                `yaml:"priority_matrix"`
	MaxFileSize    int64                     `yaml:"max_file_size"`
	CustomFields   map[string]map[string]any `yaml:"custom_fields"`
	Templates      []Template                `yaml:"templates"`
	Windows        []Window                  `yaml:"windows"`
	Signing        struct {
		Required bool `yaml:"required"`
		// Keys are files of ASCII-armored OpenPGP public keys, relative to the repository
		// root, that `gitsm audit` verifies commit signatures against when Required is set.
		Keys []string `yaml:"keys"`
	} `yaml:"signing"`

	// Hash identifies the file's content (empty without a file); caches of results that
	// depend on the settings are keyed by it.
	Hash string `yaml:"-"`
}

// Template is a pre-approved standard change template. The lists constrain what it
// pre-approves: a standard change naming it is pre-approved only when every CI it names is one
// of CIs, its risk is one of Risks and every CI it names is in one of Environments (an empty list
// constrains nothing).
type Template struct {
	ID           string   `yaml:"id"`
	Title        string   `yaml:"title"`
	CIs          []string `yaml:"cis"`
	Risks        []string `yaml:"risks"`
	Environments []string `yaml:"environments"`
}

var (
	templateRisks        = []string{"low", "moderate", "high", "very_high"}
	templateEnvironments = []string{"production", "staging", "qa", "test", "development", "dr"}
)

// Window is a freeze (blackout) or maintenance window.
type Window struct {
	Name       string      `yaml:"name"`
	Type       string      `yaml:"type"` // freeze | maintenance
	Start      string      `yaml:"start"`
	End        string      `yaml:"end"`
	Recurrence *Recurrence `yaml:"recurrence"`
	Scope      Scope       `yaml:"scope"`
	AllowTypes []string    `yaml:"allow_types"`
}

// Recurrence is a weekly window: on the given days, from start to end local time.
type Recurrence struct {
	Days     []string `yaml:"days"`
	Start    string   `yaml:"start"`
	End      string   `yaml:"end"`
	Timezone string   `yaml:"timezone"`
}

// Scope says which changes a window concerns.
type Scope struct {
	All          bool     `yaml:"all"`
	Environments []string `yaml:"environments"`
	Services     []string `yaml:"services"`
	CIs          []string `yaml:"cis"`
}

var unknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)

// Default returns the settings that apply without a config file.
func Default() *Config {
	return &Config{
		Prefixes: map[string]string{"incident": "INC", "problem": "PRB", "change": "CHG"},
		IDDigits: 6,
		Layout: map[string]string{
			"incident": "incidents/{yyyy}/{id}.yaml",
			"problem":  "problems/{yyyy}/{id}.yaml",
			"change":   "changes/{yyyy}/{id}.yaml",
			"ci":       "cis/{id}.yaml",
			"sla":      "slas/{id}.yaml",
			"calendar": "calendars/{id}.yaml",
		},
		PriorityMatrix: [][]string{{"P1", "P2", "P3"}, {"P2", "P3", "P4"}, {"P3", "P4", "P5"}},
		MaxFileSize:    1 << 20,
	}
}

// MaxSize is the largest settings file gitsm reads.
const MaxSize = 1 << 20

// Load reads the config of the repository at root; a missing file gives the defaults.
func Load(root string) (*Config, error) {
	src, err := record.Read(root, Path, MaxSize)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	var fe *record.FileError
	if errors.As(err, &fe) {
		return nil, fmt.Errorf("%w; make it a regular file in the repository", err)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", Path, err)
	}
	return Parse(src)
}

// Parse reads config file content; keys absent from it keep their defaults.
func Parse(src []byte) (*Config, error) {
	c := Default()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			msgs := make([]string, len(te.Errors))
			for i, m := range te.Errors {
				msgs[i] = unknownField.ReplaceAllString(m, "unknown setting $1")
			}
			return nil, fmt.Errorf("%s: %s", Path, strings.Join(msgs, "; "))
		}
		return nil, fmt.Errorf("%s: %w", Path, err)
	}
	defaults := Default()
	for k, v := range defaults.Prefixes {
		if c.Prefixes[k] == "" {
			c.Prefixes[k] = v
		}
	}
	for k, v := range defaults.Layout {
		if c.Layout[k] == "" {
			c.Layout[k] = v
		}
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", Path, err)
	}
	sum := sha256.Sum256(src)
	c.Hash = hex.EncodeToString(sum[:])
	return c, nil
}

func (c *Config) check() error {
	if c.IDDigits < 1 || c.IDDigits > 12 {
		return fmt.Errorf("id_digits must be between 1 and 12, got %d", c.IDDigits)
	}
	if c.MaxFileSize <= 0 {
		return fmt.Errorf("max_file_size must be positive, got %d", c.MaxFileSize)
	}
	if len(c.PriorityMatrix) != 3 {
		return fmt.Errorf("priority_matrix needs 3 rows (impact 1..3), got %d", len(c.PriorityMatrix))
	}
	for i, row := range c.PriorityMatrix {
		if len(row) != 3 {
			return fmt.Errorf("priority_matrix row %d needs 3 columns (urgency 1..3), got %d", i+1, len(row))
		}
	}
	for kind, p := range c.Prefixes {
		if p == "" || strings.ToUpper(p) != p || strings.ContainsAny(p, "-/ ") {
			return fmt.Errorf("prefix for %s must be upper-case letters, got %q", kind, p)
		}
	}
	for _, t := range c.Templates {
		if t.ID == "" {
			return fmt.Errorf("a template has no id")
		}
		for _, r := range t.Risks {
			if !slices.Contains(templateRisks, r) {
				return fmt.Errorf("template %s: risk %q is not one of %s", t.ID, r, strings.Join(templateRisks, ", "))
			}
		}
		for _, e := range t.Environments {
			if !slices.Contains(templateEnvironments, e) {
				return fmt.Errorf("template %s: environment %q is not one of %s", t.ID, e, strings.Join(templateEnvironments, ", "))
			}
		}
	}
	for _, w := range c.Windows {
		if w.Type != "freeze" && w.Type != "maintenance" {
			return fmt.Errorf("window %q: type must be freeze or maintenance, got %q", w.Name, w.Type)
		}
	}
	return nil
}

// Priority returns the priority that the matrix gives impact and urgency (1..3), or "".
func (c *Config) Priority(impact, urgency int) string {
	if impact < 1 || impact > 3 || urgency < 1 || urgency > 3 {
		return ""
	}
	return c.PriorityMatrix[impact-1][urgency-1]
}

// HasTemplate reports whether a standard change template with this ID is declared.
func (c *Config) HasTemplate(id string) bool {
	for _, t := range c.Templates {
		if t.ID == id {
			return true
		}
	}
	return false
}

// Window returns the window with this name.
func (c *Config) Window(name string) (Window, bool) {
	for _, w := range c.Windows {
		if w.Name == name {
			return w, true
		}
	}
	return Window{}, false
}
