// Package servicenow imports a ServiceNow incident export — the column set of the public
// "incident_event_log" event log, one row per update of an incident — as gitsm Incidents: one
// record per incident number, its fields from the incident's last row, its timeline from the
// rows' changes of state.
//
// Read streams the CSV and keeps, per incident, only its updates' order keys, states and
// authors and the values of its latest row, so memory grows with the number of incidents, not
// of rows. Records turns that into record files; Commit writes the files that changed and
// commits them with go-git.
package servicenow

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Columns are the columns Read needs; the others are optional.
var Columns = []string{"number", "incident_state", "sys_mod_count", "sys_updated_at", "opened_at"}

// DateLayout is how the export writes dates: day/month/year hour:minute, without a zone.
const DateLayout = "2/1/2006 15:04"

// Open opens an export: a CSV file, a .zip holding one, a gzip-compressed CSV, or "-" for
// standard input (in any of these forms). The name is what the summary calls it.
func Open(name string, stdin io.Reader) (io.ReadCloser, error) {
	var r io.Reader
	closer := io.NopCloser(nil)
	if name == "-" {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		r, closer = f, f
	}
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		// A zip needs random access: a file is read in place, standard input into memory.
		var ra io.ReaderAt
		var size int64
		if f, ok := closer.(*os.File); ok {
			st, err := f.Stat()
			if err != nil {
				f.Close()
				return nil, err
			}
			ra, size = f, st.Size()
		} else {
			data, err := io.ReadAll(br)
			if err != nil {
				return nil, err
			}
			ra, size = bytes.NewReader(data), int64(len(data))
		}
		zr, err := zip.NewReader(ra, size)
		if err != nil {
			closer.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var csvs []*zip.File
		for _, zf := range zr.File {
			if strings.EqualFold(path.Ext(zf.Name), ".csv") && !strings.HasPrefix(path.Base(zf.Name), ".") && !strings.HasPrefix(zf.Name, "__MACOSX/") {
				csvs = append(csvs, zf)
			}
		}
		if len(csvs) != 1 {
			closer.Close()
			return nil, fmt.Errorf("%s: the zip holds %d CSV files; it must hold exactly one", name, len(csvs))
		}
		rc, err := csvs[0].Open()
		if err != nil {
			closer.Close()
			return nil, err
		}
		return multiCloser{rc, rc, closer}, nil
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			closer.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return multiCloser{zr, zr, closer}, nil
	}
	return multiCloser{br, nil, closer}, nil
}

type multiCloser struct {
	io.Reader
	a, b io.Closer
}

func (m multiCloser) Close() error {
	var err error
	if m.a != nil {
		err = m.a.Close()
	}
	if m.b != nil {
		if e := m.b.Close(); err == nil {
			err = e
		}
	}
	return err
}

// update is one row of an incident, as much as the timeline needs.
type update struct {
	mod   int64
	at    int64 // Unix seconds of sys_updated_at
	seq   int32 // the row's place in the file, the last tie-break
	state string
	by    string
}

// incident is what Read keeps of one incident.
type incident struct {
	number  string
	updates []update
	// last holds the values of the latest row (by sys_mod_count, then sys_updated_at).
	last    []string
	lastKey update
}

// Export is an export read into memory, one entry per incident.
type Export struct {
	// Header is the column names; each incident's last row is in this order.
	Header    []string
	col       map[string]int
	incidents map[string]*incident
	// Location is the zone of the export's dates.
	Location *time.Location
	Stats    Stats
}

// Stats counts what the import read and did.
type Stats struct {
	Rows int // data rows read (the header excluded)
	// Skipped counts rows that could not be used, by reason.
	Skipped map[string]int
	// Adjusted counts changes the import made so that a timeline is valid, by kind.
	Adjusted map[string]int
	// Incidents is the number of incident records made; CIs the CI records.
	Incidents, CIs int
	// IncidentsSkipped counts incidents left out, by reason (their rows are in Skipped).
	IncidentsSkipped map[string]int
}

func (s *Stats) skip(reason string) {
	s.Skipped[reason]++
}

// Progress is called now and then while Read reads, with the rows read so far.
type Progress func(rows int)

// Read reads an export's CSV. Dates without a zone are taken in loc.
func Read(r io.Reader, loc *time.Location, progress Progress) (*Export, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read the header: %w", err)
	}
	e := &Export{Header: append([]string(nil), header...), col: map[string]int{}, incidents: map[string]*incident{}, Location: loc,
		Stats: Stats{Skipped: map[string]int{}, Adjusted: map[string]int{}, IncidentsSkipped: map[string]int{}}}
	for i, h := range e.Header {
		h = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
		e.Header[i] = h
		if _, dup := e.col[h]; !dup {
			e.col[h] = i
		}
	}
	var missing []string
	for _, c := range Columns {
		if _, ok := e.col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("not a ServiceNow incident export: no column %s (it has %s)", strings.Join(missing, ", "), strings.Join(e.Header, ", "))
	}
	intern := map[string]string{}
	str := func(s string) string {
		if v, ok := intern[s]; ok {
			return v
		}
		s = strings.Clone(s)
		intern[s] = s
		return s
	}
	cNumber, cState, cMod, cUpdated, cBy := e.col["number"], e.col["incident_state"], e.col["sys_mod_count"], e.col["sys_updated_at"], -1
	if i, ok := e.col["sys_updated_by"]; ok {
		cBy = i
	}
	for seq := int32(0); ; seq++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				e.Stats.Rows++
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					e.Stats.skip(fmt.Sprintf("%d fields instead of %d", len(rec), len(e.Header)))
				} else {
					e.Stats.skip("not valid CSV: " + pe.Err.Error())
				}
				continue
			}
			return nil, err
		}
		e.Stats.Rows++
		if progress != nil && e.Stats.Rows%10000 == 0 {
			progress(e.Stats.Rows)
		}
		number := strings.TrimSpace(rec[cNumber])
		if number == "" || number == "?" {
			e.Stats.skip("no number")
			continue
		}
		state := strings.TrimSpace(rec[cState])
		if _, ok := stateOf(state); !ok {
			e.Stats.skip(fmt.Sprintf("incident_state %q is not a state", state))
			continue
		}
		mod, err := strconv.ParseInt(strings.TrimSpace(rec[cMod]), 10, 64)
		if err != nil {
			e.Stats.skip("sys_mod_count is not a number")
			continue
		}
		at, ok := parseTime(rec[cUpdated], loc)
		if !ok {
			e.Stats.skip("sys_updated_at is not a date")
			continue
		}
		u := update{mod: mod, at: at.Unix(), seq: seq, state: str(state)}
		if cBy >= 0 {
			u.by = str(strings.TrimSpace(rec[cBy]))
		}
		inc := e.incidents[number]
		if inc == nil {
			inc = &incident{number: str(number)}
			e.incidents[inc.number] = inc
		}
		inc.updates = append(inc.updates, u)
		if inc.last == nil || !before(u, inc.lastKey) {
			if inc.last == nil {
				inc.last = make([]string, len(e.Header))
			}
			for i, v := range rec {
				inc.last[i] = str(v)
			}
			inc.lastKey = u
		}
	}
	return e, nil
}

// before orders updates by sys_mod_count, then sys_updated_at, then place in the file.
func before(a, b update) bool {
	if a.mod != b.mod {
		return a.mod < b.mod
	}
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (inc *incident) sort() {
	sort.Slice(inc.updates, func(i, j int) bool { return before(inc.updates[i], inc.updates[j]) })
}

// parseTime reads a date of the export; "?" and "" are no date.
func parseTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "?" {
		return time.Time{}, false
	}
	for _, layout := range []string{DateLayout, "2/1/2006 15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// stateOf maps a ServiceNow incident state to a gitsm one.
func stateOf(s string) (string, bool) {
	switch s {
	case "New":
		return "new", true
	case "Active", "In Progress":
		return "in_progress", true
	case "Resolved":
		return "resolved", true
	case "Closed":
		return "closed", true
	case "Canceled", "Cancelled":
		return "canceled", true
	}
	if strings.HasPrefix(s, "Awaiting ") || s == "On Hold" {
		return "on_hold", true
	}
	return "", false
}

// holdReason is the on_hold_reason of an Awaiting state.
func holdReason(s string) string {
	switch s {
	case "Awaiting User Info", "Awaiting Caller":
		return "awaiting_caller"
	case "Awaiting Vendor":
		return "awaiting_vendor"
	case "Awaiting Problem":
		return "awaiting_problem"
	case "Awaiting Change":
		return "awaiting_change"
	}
	return "other"
}
