package iostreams

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize makes record data safe to print as text: every control character except newline
// and tab (C0, DEL, C1), every byte that is not UTF-8, and the Unicode bidirectional controls
// that reorder what a reader sees (U+202A–U+202E, U+2066–U+2069) become visible Go-style
// escapes: "\x1b", "\x9b", "\u202e". A record's title is schema-valid with an ESC in it, and
// printed raw it could retitle the terminal, recolour it, or hide text; gh strips the same
// characters from API data for the same reason. The text is otherwise unchanged, so a string
// without such characters is returned as it is.
//
// Every text renderer that prints record data (titles, field values, messages quoting them,
// file names) goes through Sanitize or SanitizeLine; machine formats (json, yaml, csv, sarif,
// junit, github) carry data exactly, escaped by their own rules.
func Sanitize(s string) string {
	return sanitize(s, false)
}

// SanitizeLine is Sanitize for a value that must stay on one line (a file name, a table cell):
// it also escapes newline, carriage return and tab as "\n", "\r" and "\t".
func SanitizeLine(s string) string {
	return sanitize(s, true)
}

func sanitize(s string, oneLine bool) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafe(r, size, oneLine) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case !unsafe(r, size, oneLine):
			b.WriteString(s[i : i+size])
		case r == utf8.RuneError:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// unsafe reports whether the rune r, size bytes long, must be escaped.
func unsafe(r rune, size int, oneLine bool) bool {
	switch {
	case r == utf8.RuneError && size <= 1:
		return true
	case r == '\n' || r == '\t':
		return oneLine
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
