package sim

import (
	"bufio"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// RecordMetrics are the metrics of each scope and material that per-trial
// records hold, after the trial's sampled inputs.
var RecordMetrics = []string{MetricShortfall, MetricShortfallFrac, MetricPeakFrac, MetricDaysShort, MetricTimeToShort}

// recInput is one sampled input of a trial's record: its parameter path
// and how to draw it again from the trial's streams (every draw is keyed,
// so drawing again gives the value the trial used).
type recInput struct {
	path string
	draw func(st *stream) float64
}

// recOutput is one output column: its name and metric cell.
type recOutput struct {
	name string
	cell int
}

// recordLayout is the columns of the per-trial records of a plan.
type recordLayout struct {
	inputs  []recInput
	outputs []recOutput
}

// pathOf turns a sampler's stream name (owner and field) into its
// parameter path.
func pathOf(stream string) string {
	owner, field, _ := strings.Cut(stream, " ")
	kind, id, _ := strings.Cut(owner, ":")
	switch kind {
	case "node":
		return "nodes." + id + "." + field
	case "consumer":
		return "consumers." + id + "." + field
	case "event":
		return "events." + id + "." + strings.TrimSuffix(field, ".default")
	}
	return field
}

// layout lists the record columns: every field a trial samples (not the
// fixed ones), in the order the scenario declares them, then whether each
// uncertain event happens (events.ID.happens, 0 or 1), then RecordMetrics
// for every scope and material. A recurring outage's duration and loss are
// its first occurrence's.
func (p *plan) layout() *recordLayout {
	l := &recordLayout{}
	occurs, first := p.eventSamplers() // first: keys drawn per occurrence, recorded for the first
	for _, k := range p.samplerOrder {
		s := p.samplers[k][0]
		if s.fixed {
			continue
		}
		in := recInput{path: pathOf(k), draw: s.draw}
		if first[s.key] {
			in.draw = func(st *stream) float64 { return s.drawKey(st, indexed(s.key, 0)) }
		}
		l.inputs = append(l.inputs, in)
	}
	happens := func(id string, s *sampler) {
		if s.fixed && (s.fixedV >= 1 || s.fixedV <= 0) {
			return // certain either way
		}
		l.inputs = append(l.inputs, recInput{path: "events." + id + ".happens", draw: func(st *stream) float64 {
			pr := s.draw(st)
			if pr >= 1 || pr > 0 && st.at(s.occurrenceKey()).open() < pr {
				return 1
			}
			return 0
		}})
	}
	for _, e := range p.sc.Events {
		if s, ok := occurs[e.ID]; ok {
			happens(e.ID, s)
		}
	}
	for s, sc := range p.scopes {
		for m, mat := range p.mats {
			for _, name := range RecordMetrics {
				k := slices.Index(MetricNames, name)
				l.outputs = append(l.outputs, recOutput{name: string(sc.kind) + "/" + sc.id + "/" + mat + "/" + name, cell: byMetric.at(p.byMat.at(p.canon[s], m), k)})
			}
		}
	}
	return l
}

// header is the records' first line.
func (l *recordLayout) header() []byte {
	cols := []string{"trial"}
	for _, in := range l.inputs {
		cols = append(cols, in.path)
	}
	for _, o := range l.outputs {
		cols = append(cols, o.name)
	}
	return []byte(strings.Join(cols, ",") + "\n")
}

// appendRow appends the record of the worker's last trial (its outputs
// are in blk.vals): the trial, its inputs, its outputs; NaN (time_to_short
// of a trial never short) as an empty field.
func (l *recordLayout) appendRow(buf []byte, trial uint64, w *worker, blk *block) []byte {
	buf = strconv.AppendUint(buf, trial, 10)
	w.st.setTrial(w.seed, trial)
	num := func(v float64) {
		buf = append(buf, ',')
		if !math.IsNaN(v) {
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		}
	}
	for _, in := range l.inputs {
		num(in.draw(&w.st))
	}
	for _, o := range l.outputs {
		num(blk.vals[o.cell])
	}
	return append(buf, '\n')
}

// recorder writes blocks of records in trial order as workers finish
// them, holding only the blocks that finish ahead of an earlier one.
type recorder struct {
	layout  *recordLayout
	mu      sync.Mutex
	w       *bufio.Writer
	next    int // the next block to write
	pending map[int][]byte
	err     error
}

func newRecorder(w io.Writer, l *recordLayout, firstBlock int) *recorder {
	return &recorder{layout: l, w: bufio.NewWriterSize(w, 1<<16), next: firstBlock, pending: map[int][]byte{}}
}

// put hands over block b's rows and writes every block now in order.
func (r *recorder) put(b int, rows []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending[b] = rows
	for {
		data, ok := r.pending[r.next]
		if !ok {
			return
		}
		delete(r.pending, r.next)
		r.next++
		if r.err == nil {
			_, r.err = r.w.Write(data)
		}
	}
}

// flush writes what is buffered, and reports the first write error. A
// nil recorder has nothing to flush.
func (r *recorder) flush() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = r.w.Flush()
	}
	return r.err
}
