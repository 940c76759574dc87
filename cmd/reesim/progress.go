package main

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
)

// progress is a progress bar on a terminal; nil (and silent) elsewhere.
type progress struct {
	bar *progressbar.ProgressBar
}

// newProgress returns a bar drawing on w when w is a terminal, else nil.
func newProgress(w io.Writer, what string) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progress{bar: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("trials"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)}
}

// update is a sim.Options.Progress callback.
func (p *progress) update(done, total int) {
	if p == nil {
		return
	}
	if p.bar.GetMax64() != int64(total) {
		p.bar.ChangeMax64(int64(total))
	}
	p.bar.Set64(int64(done))
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	p.bar.Finish()
}
