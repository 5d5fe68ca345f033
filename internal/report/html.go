package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"time"
)

// The HTML report is one self-contained page: inline CSS and SVG charts drawn here, no
// script, font or image from anywhere else, readable with JavaScript off and printable on A4.
// Every chart is an <svg role="img"> with a <title> and a <desc> naming its numbers, followed
// by a table with the same numbers.

// chart is one SVG chart with its geometry computed.
type chart struct {
	ID, Title, Desc string
	Unit            string
	W, H            int
	Bars            []bar
	Lines           []line
	Ticks           []tick
	Legend          []legend
	Table           *Table
	Empty           bool
}

type bar struct {
	X, Y, W, H   float64
	Label, Value string
	Short        string // the label as written under the chart
	Class        string
	LX, LY       float64 // category label
	VX, VY       float64 // value label
	Anchor       string
}

type line struct {
	Name, Class string
	Points      string
	Dots        []dot
}

type dot struct {
	X, Y         float64
	Label, Value string
}

type tick struct {
	Y     float64
	X1    float64
	X2    float64
	Label string
}

type legend struct {
	Name, Class string
	X           float64
}

const (
	chartW  = 520
	chartH  = 240
	padL    = 44
	padR    = 12
	padT    = 14
	padB    = 38
	hbarH   = 20
	hbarGap = 6
)

func fmtNum(x float64) string {
	if x == math.Trunc(x) {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// niceMax rounds a maximum up to 1, 2, 2.5 or 5 times a power of ten.
func niceMax(m float64) float64 {
	if m <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(m)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if m <= f*p {
			return f * p
		}
	}
	return 10 * p
}

// countMax rounds a maximum count up so that the four tick steps are whole numbers.
func countMax(m float64) float64 {
	if m <= 4 {
		return 4
	}
	step := niceMax(m / 4)
	if step < 1 {
		step = 1
	}
	return math.Ceil(step) * 4
}

// shortMonth writes 2026-03 as "Mar 26", so that a year of months fits under a chart.
func shortMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.Format("Jan 06")
}

func yTicks(top float64, unit string) []tick {
	var ts []tick
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := float64(chartH-padB) - float64(chartH-padB-padT)*float64(i)/4
		ts = append(ts, tick{Y: y, X1: padL, X2: chartW - padR, Label: fmtNum(v) + unit})
	}
	return ts
}

// vbars draws vertical bars; a nil value is drawn as no bar and labelled "-".
func vbars(id, title, unit string, labels []string, values []*float64, classes []string, top float64, table *Table) chart {
	c := chart{ID: id, Title: title, Unit: unit, W: chartW, H: chartH, Table: table}
	maxV := top
	for _, v := range values {
		if v != nil && top == 0 {
			maxV = math.Max(maxV, *v)
		}
	}
	if top == 0 {
		maxV = countMax(maxV)
	}
	c.Ticks = yTicks(maxV, unit)
	n := len(labels)
	c.Empty = n == 0
	if n == 0 {
		c.Desc = title + ": no data."
		return c
	}
	slot := float64(chartW-padL-padR) / float64(n)
	bw := math.Min(slot*0.7, 60)
	plotH := float64(chartH - padT - padB)
	desc := title + ":"
	for i, l := range labels {
		b := bar{Label: l, Short: shortMonth(l), Value: "-", Class: "b0", Anchor: "middle"}
		if classes != nil {
			b.Class = classes[i]
		}
		b.X = padL + slot*float64(i) + (slot-bw)/2
		b.W = bw
		b.LX, b.LY = b.X+bw/2, float64(chartH-padB)+14
		if v := values[i]; v != nil {
			b.Value = fmtNum(*v) + unit
			b.H = plotH * math.Min(*v, maxV) / maxV
		}
		b.Y = float64(chartH-padB) - b.H
		b.VX, b.VY = b.LX, b.Y-3
		c.Bars = append(c.Bars, b)
		desc += fmt.Sprintf(" %s %s;", l, b.Value)
	}
	c.Desc = desc
	return c
}

// hbars draws horizontal bars, at most limit of them.
func hbars(id, title string, cs []Count, limit int, table *Table) chart {
	if len(cs) > limit {
		cs = cs[:limit]
	}
	h := padT + len(cs)*(hbarH+hbarGap) + 10
	c := chart{ID: id, Title: title, W: chartW, H: max(h, 60), Table: table, Empty: len(cs) == 0}
	maxV := 1.0
	for _, x := range cs {
		maxV = math.Max(maxV, float64(x.Count))
	}
	labelW := 150.0
	plotW := float64(chartW-padR) - labelW - 30
	desc := title + ":"
	for i, x := range cs {
		y := float64(padT + i*(hbarH+hbarGap))
		w := plotW * float64(x.Count) / maxV
		c.Bars = append(c.Bars, bar{X: labelW, Y: y, W: w, H: hbarH, Label: x.Name, Short: x.Name, Value: strconv.Itoa(x.Count), Class: "b0",
			LX: labelW - 6, LY: y + hbarH*0.7, VX: labelW + w + 4, VY: y + hbarH*0.7, Anchor: "end"})
		desc += fmt.Sprintf(" %s %d;", x.Name, x.Count)
	}
	if len(cs) == 0 {
		desc = title + ": no data."
	}
	c.Desc = desc
	return c
}

// lines draws series over the same categories; nil values break nothing, they are skipped.
func lines(id, title, unit string, labels []string, names, classes []string, series [][]*float64, table *Table) chart {
	c := chart{ID: id, Title: title, Unit: unit, W: chartW, H: chartH, Table: table, Empty: len(labels) == 0}
	maxV := 0.0
	for _, s := range series {
		for _, v := range s {
			if v != nil {
				maxV = math.Max(maxV, *v)
			}
		}
	}
	maxV = niceMax(maxV)
	c.Ticks = yTicks(maxV, unit)
	n := len(labels)
	if n == 0 {
		c.Desc = title + ": no data."
		return c
	}
	slot := float64(chartW-padL-padR) / float64(n)
	plotH := float64(chartH - padT - padB)
	for i, l := range labels {
		c.Bars = append(c.Bars, bar{Label: l, Short: shortMonth(l), LX: padL + slot*(float64(i)+0.5), LY: float64(chartH-padB) + 14, Class: "axis", Anchor: "middle"})
	}
	desc := title + ":"
	for k, s := range series {
		ln := line{Name: names[k], Class: classes[k]}
		desc += " " + names[k] + ":"
		for i, v := range s {
			if v == nil {
				desc += fmt.Sprintf(" %s -;", labels[i])
				continue
			}
			x := padL + slot*(float64(i)+0.5)
			y := float64(chartH-padB) - plotH*math.Min(*v, maxV)/maxV
			ln.Points += fmt.Sprintf("%.1f,%.1f ", x, y)
			ln.Dots = append(ln.Dots, dot{X: x, Y: y, Label: labels[i], Value: fmtNum(*v) + unit})
			desc += fmt.Sprintf(" %s %s%s;", labels[i], fmtNum(*v), unit)
		}
		c.Lines = append(c.Lines, ln)
		c.Legend = append(c.Legend, legend{Name: names[k], Class: classes[k], X: float64(padL + 10 + k*110)})
	}
	c.Desc = desc
	return c
}

type kpi struct{ Label, Value, Note string }

type page struct {
	Header string
	KPIs   []kpi
	Groups []group
	Tables []*Table
}

type group struct {
	Title  string
	Charts []chart
}

func (r *Report) charts() page {
	p := page{Header: header(r)}
	byName := map[string]*Table{}
	for _, t := range r.Tables() {
		byName[t.Name] = t
	}
	if s := r.SLA; s != nil {
		var all Compliance
		var labels []string
		var vals []*float64
		for _, k := range priorities(s.ByPriority) {
			c := s.ByPriority[k]
			all.Met += c.Met
			all.Breached += c.Breached
			labels = append(labels, k)
			vals = append(vals, c.Percent)
		}
		p.KPIs = append(p.KPIs, kpi{"SLA compliance", pct(percent(all.Met, all.Met+all.Breached)), fmt.Sprintf("%d met, %d breached", all.Met, all.Breached)},
			kpi{"Clocks at risk", strconv.Itoa(len(s.AtRisk)), "past a warn_at threshold"})
		g := group{Title: "SLA compliance"}
		g.Charts = append(g.Charts, vbars("sla-priority", "SLA compliance by priority", "%", labels, vals, nil, 100, byName["sla_by_priority"]))
		labels, vals = nil, nil
		for _, m := range s.ByMonth {
			labels = append(labels, m.Month)
			vals = append(vals, m.Percent)
		}
		g.Charts = append(g.Charts, vbars("sla-month", "SLA compliance by month opened", "%", labels, vals, nil, 100, byName["sla_by_month"]))
		p.Groups = append(p.Groups, g)
	}
	if in := r.Incidents; in != nil {
		p.KPIs = append(p.KPIs, kpi{"Open incidents", strconv.Itoa(in.Open), fmt.Sprintf("of %d", in.Count)},
			kpi{"MTTR median", fnum(in.All.TimeToResolve.Median) + " h", "wall clock, " + strconv.Itoa(in.All.TimeToResolve.N) + " resolved"})
		g := group{Title: "Incidents"}
		var labels []string
		var mtta, mttr []*float64
		for _, m := range in.Trend {
			labels = append(labels, m.Month)
			mtta = append(mtta, m.MTTAHours)
			mttr = append(mttr, m.MTTRHours)
		}
		g.Charts = append(g.Charts, lines("mtta-mttr", "MTTA and MTTR by month (hours)", "h", labels, []string{"MTTA", "MTTR"}, []string{"s0", "s1"}, [][]*float64{mtta, mttr}, byName["incidents_trend"]))
		labels = nil
		var vals []*float64
		for _, b := range in.Backlog {
			labels = append(labels, b.Name)
			vals = append(vals, ptr(float64(b.Count)))
		}
		g.Charts = append(g.Charts, vbars("backlog", "Open incidents by age", "", labels, vals, nil, 0, byName["incidents_backlog"]))
		g.Charts = append(g.Charts, hbars("by-service", "Incidents per service", in.ByService, 10, byName["incidents_by_service"]))
		g.Charts = append(g.Charts, hbars("by-ci", "Incidents per CI (top 10)", in.ByCI, 10, byName["incidents_by_ci"]))
		p.Groups = append(p.Groups, g)
	}
	if c := r.Changes; c != nil {
		p.KPIs = append(p.KPIs, kpi{"Change failure rate", pct(c.FailureRate), fmt.Sprintf("%d of %d implemented", len(c.Failures), c.Implemented)})
		g := group{Title: "Changes"}
		var labels, classes []string
		var vals []*float64
		for _, o := range c.ByOutcome {
			labels = append(labels, o.Name)
			vals = append(vals, ptr(float64(o.Count)))
			cl := "good"
			if o.Name == "failed" || o.Name == "backed_out" {
				cl = "bad"
			} else if o.Name != "successful" {
				cl = "warn"
			}
			classes = append(classes, cl)
		}
		g.Charts = append(g.Charts, vbars("change-outcomes", "Change outcomes", "", labels, vals, classes, 0, byName["changes_by_outcome"]))
		labels, vals = nil, nil
		for _, m := range c.ByMonth {
			labels = append(labels, m.Month)
			vals = append(vals, m.FailurePercent)
		}
		g.Charts = append(g.Charts, vbars("change-failure", "Change failure rate by month", "%", labels, vals, nil, 100, byName["changes_by_month"]))
		p.Groups = append(p.Groups, g)
	}
	for _, name := range []string{"sla_at_risk", "incidents_by_priority", "incidents_major", "changes_summary", "problems_summary", "problems", "data_quality"} {
		if t := byName[name]; t != nil {
			p.Tables = append(p.Tables, t)
		}
	}
	return p
}

var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>gitsm report</title>
<style>
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --b0: #0969da; --s1: #bc4c00; --good: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; padding: 16px 24px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 22px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.muted { color: var(--muted); }
.kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.kpi b { display: block; font-size: 22px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 14px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px; break-inside: avoid; min-width: 0; }
.scroll { overflow-x: auto; }
svg { width: 100%; height: auto; display: block; }
svg text { font-size: 11px; fill: var(--fg); }
svg .tick { stroke: var(--line); stroke-width: 1; }
svg .b0 { fill: var(--b0); } svg .good { fill: var(--good); } svg .warn { fill: var(--warn); } svg .bad { fill: var(--bad); }
svg polyline { fill: none; stroke-width: 2; }
svg polyline.s0 { stroke: var(--b0); } svg polyline.s1 { stroke: var(--s1); }
svg circle.s0 { fill: var(--b0); } svg circle.s1 { fill: var(--s1); }
svg rect.legend.s0 { fill: var(--b0); } svg rect.legend.s1 { fill: var(--s1); }
table { border-collapse: collapse; font-size: 12px; margin-top: 6px; }
th, td { border-bottom: 1px solid var(--line); padding: 2px 6px; text-align: left; vertical-align: top; }
figure th, figure td { white-space: nowrap; font-size: 11px; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
details summary { cursor: default; color: var(--muted); font-size: 12px; }
.tables table { width: 100%; }
@page { size: A4; margin: 12mm; }
@media print {
  body { padding: 0; font-size: 11px; }
  .grid { display: block; }
  figure { margin-bottom: 8px; }
  svg { max-width: 150mm; }
  figure, table, .kpis { break-inside: avoid; }
  details > table { display: table; }
  h2 { break-after: avoid; }
}
</style>
</head>
<body>
<header>
<h1>gitsm report</h1>
<p class="muted">{{.Header}}</p>
<div class="kpis">{{range .KPIs}}<div class="kpi"><span class="muted">{{.Label}}</span><b>{{.Value}}</b><span class="muted">{{.Note}}</span></div>{{end}}</div>
</header>
<main>
{{range .Groups}}<section>
<h2>{{.Title}}</h2>
<div class="grid">
{{range .Charts}}<figure id="{{.ID}}">
<h3 id="{{.ID}}-title">{{.Title}}</h3>
<svg viewBox="0 0 {{.W}} {{.H}}" role="img" aria-labelledby="{{.ID}}-t {{.ID}}-d" data-chart="{{.ID}}">
<title id="{{.ID}}-t">{{.Title}}</title>
<desc id="{{.ID}}-d">{{.Desc}}</desc>
{{range .Ticks}}<line class="tick" x1="{{.X1}}" x2="{{.X2}}" y1="{{.Y}}" y2="{{.Y}}"/><text x="{{.X1 | printf "%.0f"}}" dx="-4" y="{{.Y}}" dy="4" text-anchor="end">{{.Label}}</text>
{{end}}{{range .Bars}}{{if ne .Class "axis"}}<rect class="{{.Class}}" x="{{printf "%.1f" .X}}" y="{{printf "%.1f" .Y}}" width="{{printf "%.1f" .W}}" height="{{printf "%.1f" .H}}" data-label="{{.Label}}" data-value="{{.Value}}"><title>{{.Label}}: {{.Value}}</title></rect>
<text x="{{printf "%.1f" .VX}}" y="{{printf "%.1f" .VY}}"{{if eq .Anchor "middle"}} text-anchor="middle"{{end}}>{{.Value}}</text>
{{end}}<text x="{{printf "%.1f" .LX}}" y="{{printf "%.1f" .LY}}" text-anchor="{{.Anchor}}">{{.Short}}</text>
{{end}}{{range .Lines}}<polyline class="{{.Class}}" points="{{.Points}}" data-series="{{.Name}}"/>
{{$c := .Class}}{{range .Dots}}<circle class="{{$c}}" cx="{{printf "%.1f" .X}}" cy="{{printf "%.1f" .Y}}" r="3" data-label="{{.Label}}" data-value="{{.Value}}"><title>{{.Label}}: {{.Value}}</title></circle>
{{end}}{{end}}{{range .Legend}}<rect class="legend {{.Class}}" x="{{.X}}" y="2" width="10" height="10"/><text x="{{.X}}" dx="14" y="11">{{.Name}}</text>
{{end}}{{if .Empty}}<text x="50%" y="50%" text-anchor="middle" class="muted">no data</text>{{end}}
</svg>
{{with .Table}}<details open><summary>numbers</summary><div class="scroll">{{template "table" .}}</div></details>{{end}}
</figure>
{{end}}</div>
</section>
{{end}}<section class="tables">
{{range .Tables}}<h2>{{.Title}}</h2>
{{if .Rows}}<div class="scroll">{{template "table" .}}</div>{{else}}<p class="muted">none</p>{{end}}
{{end}}</section>
</main>
</body>
</html>
{{define "table"}}{{$t := .Cells}}<table data-table="{{.Name}}"><thead><tr>{{range $t.Head}}<th{{if .Numeric}} class="n"{{end}} scope="col">{{.Text}}</th>{{end}}</tr></thead>
<tbody>{{range $t.Body}}<tr>{{range .}}<td{{if .Numeric}} class="n"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody></table>{{end}}
`))

// Cell is a table cell as the HTML page writes it: its text and whether it is a number
// (aligned right).
type Cell struct {
	Text    string
	Numeric bool
}

// Cells are a table's header and body as the HTML page writes them.
type Cells struct {
	Head []Cell
	Body [][]Cell
}

// Cells lays the table out for the HTML page: each cell knows whether it is a number, so the
// template looks nothing up for each of the thousands of cells of a large report.
func (t *Table) Cells() Cells {
	numeric := func(i int) bool { return i < len(t.Numeric) && t.Numeric[i] }
	n := len(t.Columns)
	for _, row := range t.Rows {
		n += len(row)
	}
	all := make([]Cell, 0, n)
	row := func(cells []string) []Cell {
		start := len(all)
		for i, c := range cells {
			all = append(all, Cell{Text: c, Numeric: numeric(i)})
		}
		return all[start:len(all):len(all)]
	}
	out := Cells{Head: row(t.Columns), Body: make([][]Cell, 0, len(t.Rows))}
	for _, r := range t.Rows {
		out.Body = append(out.Body, row(r))
	}
	return out
}

// HTML writes the report as one self-contained HTML page with SVG charts.
func HTML(w io.Writer, r *Report) error {
	return pageTemplate.Execute(w, r.charts())
}
