package sim

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/reesim/reesim/model"
)

func records(t *testing.T, sc *model.Scenario, opt Options) ([][]string, *Result) {
	t.Helper()
	var b bytes.Buffer
	opt.Records = &b
	res, err := Run(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs, res
}

// TestRecordsAreTheTrials: each record's inputs are the values its trial
// used (the shortfall is max(0, duration - 10) t when the ban happens, 0
// otherwise), and the outputs average to the result's means.
func TestRecordsAreTheTrials(t *testing.T) {
	// The cut scenario: a total ban of a uniform duration on a consumer of
	// 1 t a day with 10 days of cover and no other supply, here happening
	// with probability 0.7. Its shortfall is max(0, duration - 10) t when
	// the ban happens, so a record's output is a known function of its
	// inputs.
	sc, err := model.Load("../testdata/cut.yaml", model.Override{Path: "events.ban.probability", Value: "0.7"})
	if err != nil {
		t.Fatal(err)
	}
	recs, res := records(t, sc, Options{Trials: 500, Seed: 4, Workers: 2})
	head := recs[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("no column %s in %v", name, head)
		}
		return i
	}
	dur, hap, short := col("events.ban.duration"), col("events.ban.happens"), col("consumer/us/x/shortfall")
	if head[0] != "trial" || len(recs) != 501 {
		t.Fatalf("records: header %v, %d rows", head[:3], len(recs)-1)
	}
	var sum float64
	for i, r := range recs[1:] {
		f := func(j int) float64 { v, _ := strconv.ParseFloat(r[j], 64); return v }
		if r[0] != strconv.Itoa(i) {
			t.Fatalf("row %d is trial %s", i, r[0])
		}
		want := 0.0
		if f(hap) == 1 {
			want = max(0, f(dur)-10)
		}
		if math.Abs(f(short)-want) > 1e-6 {
			t.Errorf("trial %d: shortfall %g; duration %g, happens %g give %g", i, f(short), f(dur), f(hap), want)
		}
		sum += f(short)
	}
	m, _ := res.Find(ScopeConsumer, "us", "x", MetricShortfall)
	if math.Abs(sum/500-m.Mean) > 1e-9*m.Mean {
		t.Errorf("records average %g; the result's mean is %g", sum/500, m.Mean)
	}
}

// TestRecordsIdenticalAcrossWorkersAndShards: the records are the same
// bytes for any worker count, and shards' records concatenated (header
// once) are the unsharded run's.
func TestRecordsIdenticalAcrossWorkersAndShards(t *testing.T) {
	sc := anyScenario(t)
	var one, two bytes.Buffer
	for _, x := range []struct {
		w int
		b *bytes.Buffer
	}{{1, &one}, {2, &two}} {
		if _, err := Run(context.Background(), sc, Options{Trials: 200, Seed: 9, Workers: x.w, Records: x.b}); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(one.Bytes(), two.Bytes()) {
		t.Fatal("records differ between 1 and 2 workers")
	}
	var merged bytes.Buffer
	for i := range 3 {
		var part bytes.Buffer
		if _, err := RunPart(context.Background(), sc, Options{Trials: 200, Seed: 9, Workers: 2, Records: &part}, i, 3); err != nil {
			t.Fatal(err)
		}
		data := part.String()
		if i > 0 {
			_, data, _ = strings.Cut(data, "\n")
		}
		merged.WriteString(data)
	}
	if merged.String() != one.String() {
		t.Error("shards' records concatenated differ from the unsharded run's")
	}
}

// TestOutsideScope: the outside/CN scope is every consumer but China's:
// its demand and shortfall are the total's less cn-users', and a scenario
// without restrictions has no such scope.
func TestOutsideScope(t *testing.T) {
	res, err := Run(context.Background(), truce90(t), Options{Trials: 128, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, mat := range res.Materials {
		for _, metric := range []string{MetricDemand, MetricShortfall, MetricDelivered} {
			out, ok := res.Find(ScopeOutside, "CN", mat, metric)
			tot, _ := res.Find(ScopeTotal, "all", mat, metric)
			cn, _ := res.Find(ScopeConsumer, "cn-users", mat, metric)
			if !ok || math.Abs(out.Mean-(tot.Mean-cn.Mean)) > 1e-6*tot.Mean+1e-6 {
				t.Errorf("outside CN %s %s = %g (found %v); total %g less cn-users %g", mat, metric, out.Mean, ok, tot.Mean, cn.Mean)
			}
		}
	}
	base, err := Run(context.Background(), loadScenario(t, "baseline"), Options{Trials: 64, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range base.Metrics {
		if m.Scope == ScopeOutside {
			t.Fatalf("baseline, with no restriction, reports %s %s", m.Scope, m.ID)
		}
	}
}
