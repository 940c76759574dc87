package output

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/scenarios"
	"github.com/reesim/reesim/sim"
)

func truce90(t *testing.T) *sim.Result {
	t.Helper()
	sc, err := scenarios.Load("truce90")
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(context.Background(), sc, sim.Options{Trials: 64})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestJSONRoundTrip: summary.json reads back to a result that writes the
// same bytes, undefined statistics (null) included, so `reesim plot` and
// merges see exactly what the run produced.
func TestJSONRoundTrip(t *testing.T) {
	res := truce90(t)
	dir := t.TempDir()
	if err := WriteDir(dir, res); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	JSON(&a, res)
	JSON(&b, back)
	if a.String() != b.String() {
		t.Fatal("summary.json does not round-trip")
	}
	if !strings.Contains(a.String(), `"cvar95": null`) {
		t.Error("an undefined statistic should be written as null")
	}
}

func TestCSVShapes(t *testing.T) {
	res := truce90(t)
	for name, write := range map[string]func(io.Writer, *sim.Result) error{"summary": SummaryCSV, "series": SeriesCSV, "flows": FlowsCSV, "utilisation": UtilisationCSV} {
		var b bytes.Buffer
		if err := write(&b, res); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v", name, err)
		}
		want := map[string]int{
			"summary":     len(res.Metrics),
			"series":      len(res.Series) * len(res.PeriodStart),
			"flows":       len(res.Flows) * len(res.PeriodStart),
			"utilisation": len(res.Utilisation) * len(res.PeriodStart),
		}[name]
		if len(rows)-1 != want {
			t.Errorf("%s.csv has %d rows; want %d", name, len(rows)-1, want)
		}
		// Units are in the column names (or, in the long summary, a unit
		// column), and periods carry their start date as well.
		head := strings.Join(rows[0], ",")
		switch name {
		case "summary":
			for _, r := range rows[1:] {
				if unit := map[string]string{"time_to_short": "days", "shortfall": "t", "p_short": "probability", "shortfall_frac": "fraction"}[r[3]]; unit != "" && r[4] != unit {
					t.Fatalf("summary.csv: %s has unit %q; want %q", r[3], r[4], unit)
				}
			}
		default:
			if !strings.Contains(head, ",period_start_days,period_start_date,") {
				t.Errorf("%s.csv header %q", name, head)
			}
			i := slices.Index(rows[0], "period_start_date")
			if rows[1][i] != res.Start {
				t.Errorf("%s.csv: the first period starts %q; the run starts %q", name, rows[1][i], res.Start)
			}
		}
	}
}

func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WriteFile = %v; want the writer's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("a failed write changed the file to %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("a failed write left %d files", len(entries))
	}
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("file = %q; want new", got)
	}
}
func TestTonnes(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{34010.4, "34,010"}, {-1234567, "-1,234,567"}, {999.6, "1,000"}, {100, "100"}, {48.25, "48.2"}, {-9.07, "-9.1"},
		{0.1544, "0.154"}, {0.0046, "0.0046"}, {0, "0"}, {math.NaN(), "-"},
	} {
		if got := Tonnes(tt.v); got != tt.want {
			t.Errorf("Tonnes(%g) = %q; want %q", tt.v, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{{0, "0.0%"}, {0.0002, "<0.1%"}, {-0.0001, ">-0.1%"}, {0.0005, "0.1%"}, {0.256, "25.6%"}, {math.NaN(), "-"}} {
		if got := Percent(tt.v); got != tt.want {
			t.Errorf("Percent(%g) = %q; want %q", tt.v, got, tt.want)
		}
	}
}

// TestOutputWords: sweep outputs read as words with their unit, and as
// file names that name the output.
func TestOutputWords(t *testing.T) {
	for _, tt := range []struct {
		o           model.SweepOutput
		words, slug string
	}{
		{model.SweepOutput{Scope: "total", ID: "all", Material: "dy", Metric: "shortfall_frac", Stat: "mean"}, "mean share of dy demand unmet, all consumers (%)", "dy-shortfall_frac-mean-all"},
		{model.SweepOutput{Scope: "consumer", ID: "us-users", Material: "ndpr", Metric: "shortfall", Stat: "p95"}, "95th percentile of the cumulative ndpr shortfall, us-users (t)", "ndpr-shortfall-p95-us-users"},
		{model.SweepOutput{Scope: "region", ID: "EU", Material: "tb", Metric: "p_short", Stat: "mean"}, "chance of any tb shortfall, region EU (%)", "tb-p_short-mean-region-EU"},
		{model.SweepOutput{Scope: "outside", ID: "CN", Material: "dy", Metric: "time_to_short", Stat: "p50"}, "median days to the first dy shortfall, outside CN (days)", "dy-time_to_short-p50-outside-CN"},
	} {
		if got := OutputWords(tt.o); got != tt.words {
			t.Errorf("OutputWords(%v) = %q; want %q", tt.o, got, tt.words)
		}
		if got := OutputSlug(tt.o); got != tt.slug {
			t.Errorf("OutputSlug(%v) = %q; want %q", tt.o, got, tt.slug)
		}
	}
	for _, m := range sim.MetricNames {
		if MetricWords(m) == m {
			t.Errorf("metric %s has no words", m)
		}
	}
}
