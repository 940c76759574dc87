package model

import (
	"math"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"90d", 90},
		{"13w", 91},
		{"6mo", 182.625},
		{"2y", 730.5},
		{"45wd", 63},
		{"0.5y", 182.625},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"90", "90 days", "d", "-3d", "1e3d", "3h"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) succeeded; want an error", bad)
		}
	}
}

func TestParseTime(t *testing.T) {
	start := time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want float64
	}{
		{"2025-05-12", 0},
		{"2025-04-04", -38},
		{"2026-05-12", 365},
		{"90d", 90},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in, start)
		if err != nil || got != tt.want {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"2025-13-01", "2025-04", "soon"} {
		if _, err := parseTime(bad, start); err == nil {
			t.Errorf("parseTime(%q) succeeded; want an error", bad)
		}
	}
}
