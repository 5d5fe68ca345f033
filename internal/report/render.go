package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/gitsm/gitsm/internal/iostreams"
)

// Formats lists the report formats by name.
var Formats = []string{"text", "markdown", "json", "csv", "html"}

// Write writes r to w in format; table, for csv, picks one table by name ("" writes all).
func Write(w io.Writer, format string, r *Report, table string) error {
	switch format {
	case "", "text":
		return Text(w, r)
	case "markdown":
		return Markdown(w, r)
	case "json":
		return JSON(w, r)
	case "csv":
		return CSV(w, r, table)
	case "html":
		return HTML(w, r)
	}
	return fmt.Errorf("unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
}

func header(r *Report) string {
	s := "as of " + r.AsOf.Format(time.RFC3339)
	if r.Since != nil {
		s += ", since " + r.Since.Format(time.RFC3339)
	}
	if r.Until != nil {
		s += ", until " + r.Until.Format(time.RFC3339)
	}
	return s
}

// width is the display width of a cell: runes, with wide East Asian characters as two.
func width(s string) int {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return len(s)
	}
	n := 0
	for _, c := range s {
		switch {
		case unicode.Is(unicode.Mn, c):
		case c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
			(c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
			(c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd)):
			n += 2
		default:
			n++
		}
	}
	return n
}

// Text writes every table with aligned columns, numbers to the right.
func Text(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "gitsm report, %s\n", header(r))
	var line []byte
	for _, t := range r.Tables() {
		fmt.Fprintf(&b, "\n%s\n", t.Title)
		if len(t.Rows) == 0 {
			b.WriteString("  (none)\n")
			continue
		}
		// Every cell sanitized and measured once: a report of 100,000 records has tables of
		// thousands of rows.
		rows := make([][]string, 0, len(t.Rows)+1)
		rows = append(rows, t.Columns)
		rows = append(rows, t.Rows...)
		n := 0
		for _, row := range rows {
			n += len(row)
		}
		cells, widths := make([]string, 0, n), make([]int, 0, n)
		maxw := make([]int, len(t.Columns))
		for ri, row := range rows {
			for i, cell := range row {
				if ri > 0 {
					cell = iostreams.SanitizeLine(cell)
				}
				cells, widths = append(cells, cell), append(widths, width(cell))
				maxw[i] = max(maxw[i], widths[len(widths)-1])
			}
		}
		size := 3
		for _, m := range maxw {
			size += m + 2
		}
		b.Grow(size * len(rows))
		k := 0
		for _, row := range rows {
			line = append(line[:0], "  "...)
			for i := range row {
				cell, pad := cells[k], maxw[i]-widths[k]
				k++
				switch {
				case t.Numeric[i]:
					line = appendSpaces(line, pad)
					line = append(line, cell...)
				case i == len(row)-1:
					line = append(line, cell...)
				default:
					line = append(line, cell...)
					line = appendSpaces(line, pad)
				}
				if i < len(row)-1 {
					line = append(line, "  "...)
				}
			}
			b.Write(bytes.TrimRight(line, " "))
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

// mdCell escapes a markdown table cell: a pipe would end it, HTML would render, and a
// backslash or backtick could undo the escaping.
func mdCell(s string) string {
	s = iostreams.SanitizeLine(s)
	r := strings.NewReplacer(`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

// Markdown writes GitHub-flavoured markdown: fits $GITHUB_STEP_SUMMARY and a PR comment.
func Markdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# gitsm report\n\n%s\n", mdCell(header(r)))
	for _, t := range r.Tables() {
		fmt.Fprintf(&b, "\n## %s\n\n", mdCell(t.Title))
		if len(t.Rows) == 0 {
			b.WriteString("_none_\n")
			continue
		}
		b.WriteString("|")
		for _, c := range t.Columns {
			b.WriteString(" " + mdCell(c) + " |")
		}
		b.WriteString("\n|")
		for i := range t.Columns {
			if t.Numeric[i] {
				b.WriteString("---:|")
			} else {
				b.WriteString("---|")
			}
		}
		b.WriteString("\n")
		for _, row := range t.Rows {
			b.WriteString("|")
			for _, c := range row {
				b.WriteString(" " + mdCell(c) + " |")
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CSV writes one table (table names it) as plain CSV: a header row, then the rows. Without a
// table it writes every table one after another, each row starting with the table's name, each
// table with its own header row (whose first cell is "table"), and an empty line between.
// Cells that a spreadsheet would run as a formula (=, +, -, @ first) get a leading quote.
func CSV(w io.Writer, r *Report, table string) error {
	cw := csv.NewWriter(w)
	tables := r.Tables()
	if table != "" {
		for _, t := range tables {
			if t.Name == table {
				_ = cw.Write(t.Columns)
				for _, row := range t.Rows {
					_ = cw.Write(safeRow(row))
				}
				cw.Flush()
				return cw.Error()
			}
		}
		names := make([]string, len(tables))
		for i, t := range tables {
			names[i] = t.Name
		}
		return fmt.Errorf("no table %q in this report; use one of %s", table, strings.Join(names, ", "))
	}
	for i, t := range tables {
		if i > 0 {
			cw.Flush()
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		_ = cw.Write(append([]string{"table"}, t.Columns...))
		for _, row := range t.Rows {
			_ = cw.Write(append([]string{t.Name}, safeRow(row)...))
		}
	}
	cw.Flush()
	return cw.Error()
}

func safeRow(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && c != "-" && !isNumber(c) {
			c = "'" + c
		}
		out[i] = c
	}
	return out
}

func isNumber(s string) bool {
	_, err := fmt.Sscanf(s, "%g", new(float64))
	return err == nil && strings.Trim(s, "0123456789.-%") == ""
}

// JSON writes the report as one object. A report of one section has that section's fields at
// the top level (so `report incidents` has `by_priority` at the top, as SPEC section 6 says),
// beside as_of, since, until and data_quality; `all` nests each section under its name.
func JSON(w io.Writer, r *Report) error {
	var v any = r
	if len(r.Sections) == 1 {
		var section any
		switch r.Sections[0] {
		case "sla":
			section = r.SLA
		case "incidents":
			section = r.Incidents
		case "changes":
			section = r.Changes
		case "problems":
			section = r.Problems
		}
		raw, err := json.Marshal(section)
		if err != nil {
			return err
		}
		m := map[string]any{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		m["as_of"], m["since"], m["until"], m["data_quality"] = r.AsOf, r.Since, r.Until, r.DataQuality
		v = m
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
