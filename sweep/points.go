package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
)

// PointsMeta is points.json, the record beside points.csv: what made the
// points and a checksum of the bytes of points.csv that hold them. It is
// rewritten (atomically) after every point, so points.csv stays a plain
// CSV that pandas or R read as it is, and an edited, damaged or torn
// points.csv is caught rather than merged.
type PointsMeta struct {
	Version    string   `json:"reesim_version"`
	Provenance string   `json:"provenance"` // the sweep, scenario, design, trials, seed and overrides
	Columns    []string `json:"columns"`
	Rows       int      `json:"rows"`   // points recorded
	Bytes      int64    `json:"bytes"`  // of points.csv holding the column line and those rows
	SHA256     string   `json:"sha256"` // of those bytes
}

// pointsLog appends points to DIR/points.csv, keeping DIR/points.json in
// step.
type pointsLog struct {
	dir  string
	f    *os.File
	meta PointsMeta
	h    hash.Hash // of points.csv so far
}

func csvLine(rec []string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(rec)
	w.Flush()
	return b.Bytes()
}

// daysSuffix marks a parameter column of durations or dates written as
// numbers of days (a range given in days): the value 45d is written 45.
const daysSuffix = "_days"

// columns are points.csv's columns for a sweep's parameters and outputs.
func columns(sw *model.Sweep, outputs []model.SweepOutput) []string {
	cols := []string{"index"}
	for _, p := range sw.Params {
		if p.Unit == model.Days && len(p.Values) == 0 {
			cols = append(cols, p.Path+daysSuffix)
			continue
		}
		cols = append(cols, p.Path)
	}
	for _, o := range outputs {
		cols = append(cols, o.Label(), o.Label()+"/se")
	}
	return cols
}

// readPoints reads the points recorded in dir for a sweep with the given
// provenance, version and columns, its first point's index first. With
// repair (a resumed sweep, in its own directory) bytes after the last
// recorded point, a torn or unrecorded line, are cut off; without (a
// shard being merged) they are an error, and nothing is modified. With
// restart, points of another sweep are removed instead of refused.
func readPoints(dir string, want PointsMeta, nPar, first int, restart, repair bool) ([]Point, error) {
	csvPath, metaPath := filepath.Join(dir, "points.csv"), filepath.Join(dir, "points.json")
	data, err := os.ReadFile(csvPath)
	noCSV := errors.Is(err, fs.ErrNotExist)
	if err != nil && !noCSV {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	mb, err := os.ReadFile(metaPath)
	if errors.Is(err, fs.ErrNotExist) {
		switch {
		case noCSV:
			return nil, nil
		case repair && bytes.Count(data, []byte("\n")) <= 1 && !bytes.HasPrefix(data, []byte("#")):
			// Killed while the column line was being written, before
			// points.json: no point is done.
			return nil, nil
		case restart:
			return nil, os.Remove(csvPath)
		}
		return nil, fmt.Errorf("sweep: %s has no points.json beside it (written by an older reesim, or not by reesim); use --restart to discard it", csvPath)
	}
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var got PointsMeta
	if err := json.Unmarshal(mb, &got); err != nil {
		if restart {
			return nil, removePoints(dir)
		}
		return nil, fmt.Errorf("sweep: %s is damaged (%v); use --restart", metaPath, err)
	}
	switch {
	case got.Provenance != want.Provenance:
		if restart {
			return nil, removePoints(dir)
		}
		return nil, fmt.Errorf("sweep: %s holds %w (made by %q; this sweep is %q); use --restart to discard them", csvPath, ErrOtherSweep, got.Provenance, want.Provenance)
	case got.Version != want.Version:
		if restart {
			return nil, removePoints(dir)
		}
		return nil, fmt.Errorf("sweep: %s was written by reesim %s; this is %s, whose points must not mix with them: use --restart", csvPath, got.Version, want.Version)
	case !slices.Equal(got.Columns, want.Columns):
		return nil, fmt.Errorf("sweep: %s has columns %v; this sweep's are %v; use --restart", csvPath, got.Columns, want.Columns)
	case noCSV || got.Bytes < 0 || int64(len(data)) < got.Bytes:
		return nil, fmt.Errorf("sweep: %s is shorter than %s records (%d bytes): damaged; use --restart", csvPath, metaPath, got.Bytes)
	}
	sum := sha256.Sum256(data[:got.Bytes])
	if hex.EncodeToString(sum[:]) != got.SHA256 {
		return nil, fmt.Errorf("sweep: %s was edited or damaged: its first %d bytes do not match the checksum in %s; use --restart", csvPath, got.Bytes, metaPath)
	}
	if extra := int64(len(data)) - got.Bytes; extra > 0 {
		if !repair {
			return nil, fmt.Errorf("sweep: %s has %d bytes after its last recorded point (a torn or unrecorded line): run that shard's command again to finish it, then merge", csvPath, extra)
		}
		if err := os.Truncate(csvPath, got.Bytes); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
	}
	return parsePoints(csvPath, data[:got.Bytes], want.Columns, nPar, got.Rows, first)
}

func removePoints(dir string) error {
	for _, f := range []string{"points.csv", "points.json"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// parsePoints parses checked bytes of points.csv: the column line and rows
// points of nPar parameters each, indices counting from first.
func parsePoints(path string, data []byte, cols []string, nPar, rows, first int) ([]Point, error) {
	nCols := len(cols)
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = nCols
	recs, err := r.ReadAll()
	if err != nil || len(recs) != rows+1 {
		return nil, fmt.Errorf("sweep: %s does not hold the %d points its record says (%v); use --restart", path, rows, err)
	}
	nOut := (nCols - 1 - nPar) / 2
	var pts []Point
	for i, rec := range recs[1:] {
		pt := Point{Values: slices.Clone(rec[1 : 1+nPar])}
		for k := range pt.Values {
			if strings.HasSuffix(cols[1+k], daysSuffix) {
				pt.Values[k] += "d" // back to the override's duration
			}
		}
		pt.Index, err = strconv.Atoi(rec[0])
		if err != nil || pt.Index != first+i {
			return nil, fmt.Errorf("sweep: %s line %d is out of order; use --restart", path, i+2)
		}
		for o := range nOut {
			m, e1 := parseF(rec[1+nPar+2*o])
			se, e2 := parseF(rec[2+nPar+2*o])
			if e1 != nil || e2 != nil {
				return nil, fmt.Errorf("sweep: %s line %d is corrupt; use --restart", path, i+2)
			}
			pt.Mean, pt.SE = append(pt.Mean, m), append(pt.SE, se)
		}
		pts = append(pts, pt)
	}
	return pts, nil
}

// openPoints opens dir's points for appending after the given points
// (read by readPoints), starting the files afresh when there are none.
func openPoints(dir string, meta PointsMeta, done int) (*pointsLog, error) {
	path := filepath.Join(dir, "points.csv")
	l := &pointsLog{dir: dir, meta: meta, h: sha256.New()}
	if done == 0 {
		head := csvLine(meta.Columns)
		if err := output.WriteBytes(path, head); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		l.h.Write(head)
		l.meta.Rows, l.meta.Bytes = 0, int64(len(head))
		if err := l.sync(); err != nil {
			return nil, err
		}
	} else {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		l.h.Write(data)
		l.meta.Rows, l.meta.Bytes = done, int64(len(data))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	l.f = f
	return l, nil
}

// sync rewrites points.json for the rows written so far.
func (l *pointsLog) sync() error {
	l.meta.SHA256 = hex.EncodeToString(l.h.Sum(nil))
	data, err := json.MarshalIndent(l.meta, "", "  ")
	if err != nil {
		return err
	}
	if err := output.WriteBytes(filepath.Join(l.dir, "points.json"), append(data, '\n')); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// append writes one point (synced), then records it in points.json.
func (l *pointsLog) append(pt Point) error {
	rec := []string{strconv.Itoa(pt.Index)}
	for k, v := range pt.Values {
		if strings.HasSuffix(l.meta.Columns[1+k], daysSuffix) {
			v = strings.TrimSuffix(v, "d") // a number of days
		}
		rec = append(rec, v)
	}
	for o := range pt.Mean {
		rec = append(rec, output.CSVFloat(pt.Mean[o]), output.CSVFloat(pt.SE[o]))
	}
	line := csvLine(rec)
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	l.h.Write(line)
	l.meta.Rows++
	l.meta.Bytes += int64(len(line))
	return l.sync()
}

func (l *pointsLog) Close() error { return l.f.Close() }
