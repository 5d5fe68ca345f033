package schema

// knownPatterns are hand-written matchers for the patterns of defs.json, which the quick
// check meets on every ID, reference and timestamp: a regexp costs ten times as much.
// TestKnownPatterns and FuzzKnownPatterns hold each to its regexp.
var knownPatterns = map[string]func(string) bool{
	`^[A-Z][A-Z0-9]{0,9}-[0-9]{1,12}$`:     matchNumberedID,
	`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`: matchSlug,
	`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`: matchTimestamp,
	`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`: matchDate,
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits reports whether s[i:i+n] are n digits.
func digits(s string, i, n int) bool {
	if i+n > len(s) {
		return false
	}
	for _, c := range []byte(s[i : i+n]) {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// matchNumberedID is ^[A-Z][A-Z0-9]{0,9}-[0-9]{1,12}$.
func matchNumberedID(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	i := 1
	for i < len(s) && i < 10 && (s[i] >= 'A' && s[i] <= 'Z' || isDigit(s[i])) {
		i++
	}
	if i >= len(s) || s[i] != '-' {
		return false
	}
	n := len(s) - i - 1
	return n >= 1 && n <= 12 && digits(s, i+1, n)
}

// matchSlug is ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$.
func matchSlug(s string) bool {
	if len(s) < 1 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || isDigit(c)
		if !alnum && (c != '-' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// matchDate is ^[0-9]{4}-[0-9]{2}-[0-9]{2}$.
func matchDate(s string) bool {
	return len(s) == 10 && datePrefix(s)
}

func datePrefix(s string) bool {
	return len(s) >= 10 && digits(s, 0, 4) && s[4] == '-' && digits(s, 5, 2) && s[7] == '-' && digits(s, 8, 2)
}

// matchTimestamp is
// ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$.
func matchTimestamp(s string) bool {
	if len(s) < 20 || !datePrefix(s) || s[10] != 'T' || !digits(s, 11, 2) || s[13] != ':' ||
		!digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2) {
		return false
	}
	i := 19
	if s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	rest := s[i:]
	switch {
	case rest == "Z":
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-'):
		return digits(rest, 1, 2) && rest[3] == ':' && digits(rest, 4, 2)
	}
	return false
}
