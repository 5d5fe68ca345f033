// Package sla is the SLA clock of SPEC section 6: how much of an SLA's goal a record has used,
// counted from its start to its stop (acknowledgement for a response SLA, resolution for a
// resolution SLA), minus the time spent in pause states, and only inside the calendar's hours
// in its time zone, minus holidays. It is pure: "now" is an argument.
package sla

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Span is a stretch of hours on some weekdays, in minutes from local midnight; End may be
// 1440 (24:00). Start < End.
type Span struct {
	Days       [7]bool // by time.Weekday
	Start, End int
}

// Calendar says when an SLA clock may run. A nil *Calendar runs around the clock (24x7).
type Calendar struct {
	Location *time.Location
	Hours    []Span
	Holidays map[string]bool // local dates, YYYY-MM-DD

	week     [7][][2]int    // merged spans per weekday, sorted
	holidays map[int64]bool // Holidays as day numbers (see dayNumber)

	// A clock that runs for months would walk its calendar day by day, and a report measures
	// tens of thousands of clocks: the calendar time of whole days is summed once into a
	// table, cum[i] being the calendar time of the days from base up to base+i.
	mu   sync.Mutex
	base int64
	cum  []time.Duration
}

// NewCalendar makes a calendar; overlapping spans are merged so no minute counts twice.
func NewCalendar(loc *time.Location, hours []Span, holidays []string) *Calendar {
	c := &Calendar{Location: loc, Hours: hours, Holidays: map[string]bool{}, holidays: map[int64]bool{}}
	for _, h := range holidays {
		c.Holidays[h] = true
		if t, err := time.Parse(time.DateOnly, h); err == nil {
			c.holidays[dayNumber(t.Year(), t.Month(), t.Day())] = true
		}
	}
	for wd := range 7 {
		var spans [][2]int
		for _, h := range hours {
			if h.Days[wd] && h.Start < h.End {
				spans = append(spans, [2]int{h.Start, h.End})
			}
		}
		slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
		var merged [][2]int
		for _, s := range spans {
			if n := len(merged); n > 0 && s[0] <= merged[n-1][1] {
				merged[n-1][1] = max(merged[n-1][1], s[1])
				continue
			}
			merged = append(merged, s)
		}
		c.week[wd] = merged
	}
	return c
}

// maxDays bounds a search forward for calendar time: a calendar with no hours (or only
// holidays) must not loop forever.
const maxDays = 3660

// maxTable bounds the days the table of whole days may cover (about 270 years); a span
// beyond it is counted only for its first maxDays days.
const maxTable = 100_000

// dayNumber numbers civil dates: days since 1970-01-01.
func dayNumber(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// day returns the local civil day of t.
func (c *Calendar) day(t time.Time) int64 {
	y, m, d := t.In(c.Location).Date()
	return dayNumber(y, m, d)
}

// dayWindows calls fn with each open window of civil day n, in order, until fn returns false;
// it reports whether fn always returned true.
func (c *Calendar) dayWindows(n int64, fn func(start, end time.Time) bool) bool {
	if c.holidays[n] {
		return true
	}
	day := time.Unix(n*86400, 0).UTC()
	y, m, d := day.Date()
	for _, s := range c.week[day.Weekday()] {
		ws := time.Date(y, m, d, s[0]/60, s[0]%60, 0, 0, c.Location)
		we := time.Date(y, m, d, s[1]/60, s[1]%60, 0, 0, c.Location)
		if !fn(ws, we) {
			return false
		}
	}
	return true
}

// within is the calendar time of day n inside [from, to).
func (c *Calendar) within(n int64, from, to time.Time) time.Duration {
	var total time.Duration
	c.dayWindows(n, func(ws, we time.Time) bool {
		if s, e := later(ws, from), earlier(we, to); e.After(s) {
			total += e.Sub(s)
		}
		return true
	})
	return total
}

// upTo returns the calendar time of the whole days from the table's base up to day n,
// growing the table as needed; c.mu must be held. Only differences of two results mean
// anything, since the base moves.
func (c *Calendar) upTo(n int64) time.Duration {
	whole := func(d int64) time.Duration {
		return c.within(d, time.Time{}, time.Unix(1<<62, 0))
	}
	if c.cum == nil {
		c.base, c.cum = n, []time.Duration{0}
	}
	if n < c.base {
		k := c.base - n
		grown := make([]time.Duration, k, k+int64(len(c.cum)))
		var run time.Duration
		for d := n; d < c.base; d++ {
			grown[d-n] = run
			run += whole(d)
		}
		for _, v := range c.cum {
			grown = append(grown, v+run)
		}
		c.base, c.cum = n, grown
	}
	for n-c.base >= int64(len(c.cum)) {
		last := int64(len(c.cum)) - 1
		c.cum = append(c.cum, c.cum[last]+whole(c.base+last))
	}
	return c.cum[n-c.base]
}

// span returns the calendar time of the whole days [from, to) (day numbers), or ok false
// when the table would grow beyond maxTable days.
func (c *Calendar) span(from, to int64) (time.Duration, bool) {
	lo, hi := from, to
	if c.cum != nil {
		lo, hi = min(lo, c.base), max(hi, c.base+int64(len(c.cum)))
	}
	if hi-lo > maxTable {
		return 0, false
	}
	// The lower end first: it may move the base, which the higher end, only appending,
	// then never does.
	a := c.upTo(from)
	return c.upTo(to) - a, true
}

// Between returns the calendar time inside [from, to).
func (c *Calendar) Between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if c == nil {
		return to.Sub(from)
	}
	fd, td := c.day(from), c.day(to)
	if fd == td {
		return c.within(fd, from, to)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	middle, ok := c.span(fd+1, td)
	if !ok {
		// Beyond the table: count day by day, at most maxDays days.
		for d := fd + 1; d < min(td, fd+1+maxDays); d++ {
			middle += c.within(d, from, to)
		}
	}
	return c.within(fd, from, to) + middle + c.within(td, from, to)
}

// Add returns the instant when d of calendar time will have passed since from; ok is false
// when the calendar does not provide that much time within ten years.
func (c *Calendar) Add(from time.Time, d time.Duration) (at time.Time, ok bool) {
	if c == nil {
		return from.Add(d), true
	}
	if d <= 0 {
		return from, true
	}
	// walk finds the instant in day n, from its start or from, when left is used up.
	walk := func(n int64, from time.Time, left time.Duration) (at time.Time, rest time.Duration, ok bool) {
		c.dayWindows(n, func(ws, we time.Time) bool {
			s := later(ws, from)
			if !we.After(s) {
				return true
			}
			if avail := we.Sub(s); left > avail {
				left -= avail
				return true
			}
			at, ok = s.Add(left), true
			return false
		})
		return at, left, ok
	}
	fd := c.day(from)
	at, left, ok := walk(fd, from, d)
	if ok {
		return at, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	last := fd + maxDays
	if total, ok := c.span(fd+1, last+1); !ok || total < left {
		return time.Time{}, false
	}
	// The first day k by whose end the days after fd hold left.
	start := c.upTo(fd + 1)
	k := fd + 1 + int64(sort.Search(int(last-fd), func(i int) bool { return c.upTo(fd+2+int64(i))-start >= left }))
	at, _, ok = walk(k, time.Time{}, left-(c.upTo(k)-start))
	return at, ok
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

var durationPattern = regexp.MustCompile(`^(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?$`)

// ParseDuration reads an SLA duration: `30m`, `4h`, `2d`, or combinations in that order
// (`1d4h30m`). A day is 24 hours of the SLA's own clock.
func ParseDuration(s string) (time.Duration, error) {
	m := durationPattern.FindStringSubmatch(s)
	if m == nil || s == "" {
		return 0, fmt.Errorf("duration %q: use a number of days, hours and minutes such as 30m, 4h, 2d or 1d4h30m", s)
	}
	var total time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		total += time.Duration(n) * unit
	}
	return total, nil
}

// Step is one entry of a record's timeline: from At on, the record is in State.
type Step struct {
	At    time.Time
	State string
}

// The targets an SLA measures.
const (
	Response   = "response"
	Resolution = "resolution"
)

// Clock is what one SLA measures on one record.
type Clock struct {
	Target      string // Response or Resolution
	Goal        time.Duration
	Calendar    *Calendar // nil: 24x7
	PauseStates []string
	WarnAt      []float64 // percent of the goal
}

// The stages of a measured clock.
const (
	Running  = "running"
	Paused   = "paused"
	Stopped  = "stopped"
	Canceled = "canceled"
)

// Status is an SLA clock as of an instant.
type Status struct {
	Stage     string        // Running, Paused, Stopped or Canceled
	Elapsed   time.Duration // calendar time counted so far
	Goal      time.Duration
	Percent   float64 // Elapsed / Goal × 100
	Breached  bool    // Elapsed > Goal
	Warning   float64 // the highest warn_at threshold passed, or 0
	StoppedAt time.Time
	// BreachAt is when the goal will be reached if nothing changes: set while the clock
	// runs and has not breached yet.
	BreachAt time.Time
}

// Result summarizes a status in one word: met, breached, at_risk (past a warn_at threshold),
// on_track, paused or canceled.
func (s Status) Result() string {
	switch {
	case s.Stage == Canceled:
		return "canceled"
	case s.Breached:
		return "breached"
	case s.Stage == Stopped:
		return "met"
	case s.Stage == Paused:
		return "paused"
	case s.Warning > 0:
		return "at_risk"
	}
	return "on_track"
}

// Measure runs the clock over a record opened at opened with the given timeline (in
// chronological order), as of asOf: steps after asOf have not happened yet.
//
// A response clock runs while the record is `new` and stops for good at the first step to
// another state. A resolution clock runs in every state except the pause states and stops in
// resolved, closed and canceled; a reopen starts it again.
func Measure(c Clock, opened time.Time, timeline []Step, asOf time.Time) Status {
	st := Status{Goal: c.Goal, Stage: Running}
	state := "new"
	if len(timeline) > 0 && !timeline[0].At.After(opened) {
		state = timeline[0].State
		timeline = timeline[1:]
	}
	from := opened
	stage := func(state string) string {
		switch {
		case c.Target == Response && state != "new":
			if state == "canceled" {
				return Canceled
			}
			return Stopped
		case c.Target != Response && state == "canceled":
			return Canceled
		case c.Target != Response && (state == "resolved" || state == "closed"):
			return Stopped
		case slices.Contains(c.PauseStates, state):
			return Paused
		}
		return Running
	}
	st.Stage = stage(state)
	if st.Stage == Stopped || st.Stage == Canceled {
		st.StoppedAt = opened
	}
	for _, step := range timeline {
		if step.At.After(asOf) {
			break
		}
		at := later(step.At, from)
		if st.Stage == Running {
			st.Elapsed += c.Calendar.Between(from, at)
		}
		from = at
		if c.Target == Response && (st.Stage == Stopped || st.Stage == Canceled) {
			continue // a response is given once
		}
		was := st.Stage
		st.Stage = stage(step.State)
		switch {
		case (st.Stage == Stopped || st.Stage == Canceled) && (was == Stopped || was == Canceled):
			// resolved → closed: the clock stopped at the resolution, not at the closure
		case st.Stage == Stopped || st.Stage == Canceled:
			st.StoppedAt = at
		default:
			st.StoppedAt = time.Time{}
		}
	}
	if st.Stage == Running && asOf.After(from) {
		st.Elapsed += c.Calendar.Between(from, asOf)
	}
	if c.Goal > 0 {
		st.Percent = float64(st.Elapsed) * 100 / float64(c.Goal)
	}
	st.Breached = st.Elapsed > c.Goal
	for _, w := range c.WarnAt {
		if st.Percent >= w && w > st.Warning {
			st.Warning = w
		}
	}
	if st.Stage == Running && !st.Breached {
		if at, ok := c.Calendar.Add(later(asOf, from), c.Goal-st.Elapsed); ok {
			st.BreachAt = at
		}
	}
	return st
}
