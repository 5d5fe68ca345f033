package schema

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

func checkPatterns(t *testing.T, s string) {
	t.Helper()
	for pattern, match := range knownPatterns {
		if got, want := match(s), regexp.MustCompile(pattern).MatchString(s); got != want {
			t.Errorf("%s on %q: got %v, want %v as the regexp says", pattern, s, got, want)
		}
	}
}

// TestKnownPatterns holds each hand-written matcher to its regexp on examples and on random
// strings made of the characters that matter.
func TestKnownPatterns(t *testing.T) {
	for _, s := range []string{
		"", "INC-000123", "CHG-1", "A-1", "ABCDEFGHIJ-1", "ABCDEFGHIJK-1", "A1B2-123456789012", "A-1234567890123",
		"inc-1", "INC-", "INC-1a", "-1", "INC_1", "INC-1\n",
		"web", "a", "a-b", "-a", "a-", "a--b", "A", "web01", "x" + string(make([]byte, 0)),
		"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd",
		"2026-03-02T10:14:00Z", "2026-03-02T10:14:00.5Z", "2026-03-02T10:14:00.Z", "2026-03-02T10:14:00+01:00",
		"2026-03-02T10:14:00-0100", "2026-03-02t10:14:00Z", "2026-03-02T10:14Z", "2026-03-02T10:14:00", "2026-03-02T10:14:00Zx",
		"2026-03-02T10:14:00.123456789+14:00", "2026-03-02 10:14:00Z", "20260-3-02T10:14:00Z",
		"2026-03-02", "2026-3-02", "2026-03-02x", "2026-03-0a", "٢٠٢٦-03-02",
	} {
		checkPatterns(t, s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("0123456789-:TZ.+aAzZ-")
	for range 20000 {
		b := make([]byte, rng.IntN(30))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		checkPatterns(t, string(b))
	}
}

func FuzzKnownPatterns(f *testing.F) {
	for _, s := range []string{"INC-000123", "web-01", "2026-03-02T10:14:00.5+01:00", "2026-03-02"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkPatterns(t, s)
	})
}
