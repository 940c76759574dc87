package model

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var durationRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)(wd|mo|d|w|y)$`)

// ParseDuration parses a duration such as 90d, 13w, 6mo, 2y or 45wd and
// returns it in days. A bare number is an error: the unit must be explicit.
func ParseDuration(s string) (float64, error) {
	s = strings.TrimSpace(s)
	m := durationRE.FindStringSubmatch(s)
	if m == nil {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return 0, fmt.Errorf("%s has no unit (want a duration such as %sd, %sw, %smo, %sy or %swd)", s, s, s, s, s, s)
		}
		return 0, fmt.Errorf("%q is not a duration (want a number and a unit: d, w, mo, y or wd, as in 90d or 45wd)", s)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a duration", s)
	}
	switch m[2] {
	case "w":
		v *= 7
	case "mo":
		v *= DaysPerMonth
	case "y":
		v *= DaysPerYear
	case "wd":
		v *= DaysPerWorkingDay
	}
	return v, nil
}

// parseTime parses an ISO date or a duration after start, in days after start.
func parseTime(s string, start time.Time) (float64, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 8 && s[4] == '-' {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a date (want an ISO date such as 2025-04-04, or a duration after start such as 90d)", s)
		}
		return t.Sub(start).Hours() / 24, nil
	}
	v, err := ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a point in time (want an ISO date such as 2025-04-04, or a duration after start such as 90d)", s)
	}
	return v, nil
}

// parseNumber parses a finite number.
func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), "_", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		if _, derr := ParseDuration(s); derr == nil {
			return 0, fmt.Errorf("%s is a duration, but this field wants a plain number", s)
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

// FormatDays writes a number of days compactly for messages and tables.
func FormatDays(d float64) string {
	if math.IsInf(d, 1) {
		return "forever"
	}
	return strconv.FormatFloat(d, 'f', -1, 64) + "d"
}
