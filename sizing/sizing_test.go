package sizing

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/sim"
)

// The cut scenario (../testdata/cut.yaml) is a closed form: a total ban of
// a uniform duration D ~ U(30d, 230d) from day 0, on a consumer with a
// cover of c days of demand and no other supply. The consumer runs short
// exactly when D > c, so P(short) = (230 - c)/200, and the cover that
// keeps P(short) <= 5 % is the 95th percentile of D: 220 days.
var cut = func() []byte {
	data, err := os.ReadFile("../testdata/cut.yaml")
	if err != nil {
		panic(err)
	}
	return data
}()

func cutLoader(ovs []model.Override) (*model.Scenario, error) {
	return model.Parse(cut, "cut.yaml", ovs...)
}

func TestSizeInventoryCover(t *testing.T) {
	target, err := ParseTarget("consumer/us/x/p_short.mean<=0.05")
	if err != nil {
		t.Fatal(err)
	}
	ans, err := Solve(context.Background(), Problem{
		Param: "consumers.us.inventory.x", Min: 0, Max: 365, Days: true, Target: target,
		Load: cutLoader, Options: sim.Options{Trials: 4000, Seed: 7}, Tol: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("P(short) <= 5%%: %g days in [%g, %g], P(short) %g, %d runs", ans.Value, ans.CILow, ans.CIHigh, ans.At.Stat, len(ans.Evals))
	const want = 220.0
	if !ans.Increasing || math.Abs(ans.Value-want) > 4 {
		t.Errorf("cover for P(short) <= 5%%: %g days (increasing %v); want about %g", ans.Value, ans.Increasing, want)
	}
	if !(ans.CILow <= want && want <= ans.CIHigh) || !(ans.CILow < ans.Value && ans.Value < ans.CIHigh) {
		t.Errorf("interval [%g, %g] around %g; want it to hold %g", ans.CILow, ans.CIHigh, ans.Value, want)
	}
	if !(ans.At.Stat <= 0.05) {
		t.Errorf("P(short) at the answer is %g", ans.At.Stat)
	}
	// The shortfall's P95 target: the shortfall is (D - c) days of demand
	// when D > c; with c = 100d, its 95th percentile is (220 - 100) t, and
	// a cover of 160d brings it to 60 t.
	q, _ := ParseTarget("consumer/us/x/shortfall.p95<=60")
	ans, err = Solve(context.Background(), Problem{
		Param: "consumers.us.inventory.x", Min: 0, Max: 365, Days: true, Target: q,
		Load: cutLoader, Options: sim.Options{Trials: 4000, Seed: 7}, Tol: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("P95 <= 60 t: %g days in [%g, %g], P95 %g [%g, %g]", ans.Value, ans.CILow, ans.CIHigh, ans.At.Stat, ans.At.StatLo, ans.At.StatHi)
	if math.Abs(ans.Value-160) > 4 || !(ans.CILow <= 160 && 160 <= ans.CIHigh) {
		t.Errorf("cover for shortfall P95 <= 60 t: %g days in [%g, %g]; want about 160", ans.Value, ans.CILow, ans.CIHigh)
	}
}

func TestSizeRefuses(t *testing.T) {
	target, _ := ParseTarget("consumer/us/x/p_short.mean<=0.05")
	for _, r := range [][2]float64{{0, 20}, {240, 300}} {
		if _, err := Solve(context.Background(), Problem{Param: "consumers.us.inventory.x", Min: r[0], Max: r[1], Days: true, Target: target, Load: cutLoader, Options: sim.Options{Trials: 256, Seed: 1}}); err == nil {
			t.Errorf("range %v: want an error (met nowhere or everywhere)", r)
		}
	}
	for _, bad := range []string{"total/all/dy/p_short<=0.05", "world/all/x/p_short.mean<=0.05", "total/all/x/pshort.mean<=1", "total/all/x/p_short.median<=1", "total/all/x/p_short.mean<0.05", "total/all/x/p_short.mean<=NaN"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) succeeded", bad)
		}
	}
}
