package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows how far a long command has got: a bar on a terminal, and
// elsewhere (a Slurm log, a pipe to tee) a plain line every plainEvery,
// the first only once the command has run that long, so short runs print
// nothing.
type progress struct {
	bar *progressbar.ProgressBar // on a terminal; nil otherwise

	w          io.Writer
	what, unit string
	start      time.Time
	last       time.Time
	printed    bool
	done       int
	total      int
}

// plainEvery is how often a plain progress line is printed.
const plainEvery = 5 * time.Second

// newProgress returns a progress display on w for a command doing what,
// counted in unit (trials, points).
func newProgress(w io.Writer, what, unit string) *progress {
	now := time.Now()
	p := &progress{w: w, what: what, unit: unit, start: now, last: now}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.bar = progressbar.NewOptions64(-1,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString(unit),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100_000_000),
				progressbar.OptionClearOnFinish(),
			)
		}
	}
	return p
}

// update is a sim.Options.Progress callback.
func (p *progress) update(done, total int) {
	if p == nil {
		return
	}
	p.done, p.total = done, total
	if p.bar != nil {
		if p.bar.GetMax64() != int64(total) {
			p.bar.ChangeMax64(int64(total))
		}
		p.bar.Set64(int64(done))
		return
	}
	if now := time.Now(); now.Sub(p.last) >= plainEvery {
		p.last = now
		p.line(now)
	}
}

// line prints one plain progress line: done of total, the rate and the
// time left at that rate.
func (p *progress) line(now time.Time) {
	p.printed = true
	el := now.Sub(p.start).Seconds()
	rate := float64(p.done) / max(el, 1e-9)
	pct := 0.0
	if p.total > 0 {
		pct = 100 * float64(p.done) / float64(p.total)
	}
	left := "-"
	if rate > 0 && p.total >= p.done {
		left = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "reesim: %s: %d of %d %s (%.0f %%), %.0f %s/s, %s left\n", p.what, p.done, p.total, p.unit, pct, rate, p.unit, left)
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	if p.bar != nil {
		p.bar.Finish()
		return
	}
	if p.printed {
		p.line(time.Now())
	}
}
