package report

import (
	"math"
	"slices"
)

// Stats are the mean, median and 90th percentile of durations in hours, over N values; they
// are null when there are none.
type Stats struct {
	N      int      `json:"n"`
	Mean   *float64 `json:"mean_hours"`
	Median *float64 `json:"median_hours"`
	P90    *float64 `json:"p90_hours"`
}

// summarize computes Stats: the median of an even count is the mean of the two middle values;
// the 90th percentile is the nearest rank, the ⌈0.9·n⌉-th smallest value.
func summarize(hours []float64) Stats {
	s := Stats{N: len(hours)}
	if len(hours) == 0 {
		return s
	}
	v := slices.Clone(hours)
	slices.Sort(v)
	var sum float64
	for _, x := range v {
		sum += x
	}
	n := len(v)
	mean := round(sum / float64(n))
	median := v[n/2]
	if n%2 == 0 {
		median = (v[n/2-1] + v[n/2]) / 2
	}
	median = round(median)
	p90 := round(v[int(math.Ceil(0.9*float64(n)))-1])
	s.Mean, s.Median, s.P90 = &mean, &median, &p90
	return s
}

// round rounds to two decimals, so that reports do not print float noise.
func round(x float64) float64 { return math.Round(x*100) / 100 }

// percent is a ÷ b × 100 rounded to one decimal, or null when b is 0.
func percent(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	p := math.Round(float64(a)*1000/float64(b)) / 10
	return &p
}

func ptr(x float64) *float64 { return &x }
