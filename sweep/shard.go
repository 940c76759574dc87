package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/reesim/reesim/model"
	"github.com/reesim/reesim/output"
)

// ShardManifest describes one shard of a sweep: which points it holds of
// which sweep.
type ShardManifest struct {
	Version     string              `json:"reesim_version"`
	SweepSHA256 string              `json:"sweep_sha256"`
	Head        string              `json:"provenance"` // as in points.json
	Shard       int                 `json:"shard"`
	Shards      int                 `json:"shards"`
	First       int                 `json:"first_point"`
	Last        int                 `json:"last_point"` // exclusive
	Points      int                 `json:"points"`     // of the whole sweep
	Outputs     []model.SweepOutput `json:"outputs"`
}

func writeShard(dir string, sw *model.Sweep, m ShardManifest) error {
	if err := output.WriteBytes(filepath.Join(dir, "sweep.yaml"), sw.Source); err != nil {
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return output.WriteBytes(filepath.Join(dir, "shard.json"), append(data, '\n'))
}

// IsShard reports whether dir holds a sweep shard.
func IsShard(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "shard.json"))
	return err == nil
}

// Merge combines the shards of one sweep, given in any order, into dir: the
// same points.csv and indices.csv as the unsharded sweep. It refuses a
// missing, duplicate or unfinished shard and shards of different sweeps,
// before writing anything.
func Merge(dirs []string, dir string) (*Outcome, error) {
	type shard struct {
		dir string
		m   ShardManifest
	}
	var shards []shard
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("sweep: %s is not a shard directory", d)
		}
		data, err := os.ReadFile(filepath.Join(d, "shard.json"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("sweep: %s has no shard.json: that shard did not finish", d)
		}
		if err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		var m ShardManifest
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("sweep: %s/shard.json is truncated or corrupt: %w", d, err)
		}
		if !(m.Shards >= 1 && m.Shard >= 0 && m.Shard < m.Shards && 0 <= m.First && m.First <= m.Last && m.Last <= m.Points) {
			return nil, fmt.Errorf("sweep: %s/shard.json is corrupt: shard %d of %d, points [%d, %d) of %d", d, m.Shard, m.Shards, m.First, m.Last, m.Points)
		}
		if m.Shards > len(dirs) {
			return nil, fmt.Errorf("sweep: missing shard(s): %s is shard %d of %d, and %d shard(s) were given", d, m.Shard, m.Shards, len(dirs))
		}
		shards = append(shards, shard{d, m})
	}
	m0 := shards[0].m
	byIndex := make([]*shard, m0.Shards)
	for i := range shards {
		s := &shards[i]
		switch {
		case s.m.Head != m0.Head || s.m.SweepSHA256 != m0.SweepSHA256:
			return nil, fmt.Errorf("sweep: %s and %s are shards of different sweeps or scenarios", shards[0].dir, s.dir)
		case s.m.Shards != m0.Shards:
			return nil, fmt.Errorf("sweep: shards of different splits (%d and %d)", m0.Shards, s.m.Shards)
		case s.m.Version != m0.Version:
			return nil, fmt.Errorf("sweep: %s and %s were made by different reesim versions (%s and %s)", shards[0].dir, s.dir, m0.Version, s.m.Version)
		case s.m.Shard < 0 || s.m.Shard >= m0.Shards:
			return nil, fmt.Errorf("sweep: %s: shard %d out of range", s.dir, s.m.Shard)
		case byIndex[s.m.Shard] != nil:
			return nil, fmt.Errorf("sweep: shard %d/%d given twice (%s and %s)", s.m.Shard, m0.Shards, byIndex[s.m.Shard].dir, s.dir)
		}
		byIndex[s.m.Shard] = s
	}
	var missing []int
	for i, s := range byIndex {
		if s == nil {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("sweep: missing shard(s) %v of %d", missing, m0.Shards)
	}
	sw, err := model.ParseSweep(mustRead(filepath.Join(byIndex[0].dir, "sweep.yaml")), filepath.Join(byIndex[0].dir, "sweep.yaml"))
	if err != nil {
		return nil, err
	}
	if sw.SHA256 != m0.SweepSHA256 {
		return nil, fmt.Errorf("sweep: %s/sweep.yaml is not the sweep its shards were made from", byIndex[0].dir)
	}
	sw.Outputs = m0.Outputs
	d, err := makeDesign(sw)
	if err != nil {
		return nil, err
	}
	meta := PointsMeta{Version: m0.Version, Provenance: m0.Head, Columns: columns(sw, m0.Outputs)}
	var pts []Point
	body := csvLine(meta.Columns)
	for _, s := range byIndex {
		// Checked against its points.json, and never modified.
		got, err := readPoints(s.dir, meta, len(sw.Params), s.m.First, false, false)
		if err != nil {
			return nil, err
		}
		if len(got) != s.m.Last-s.m.First {
			return nil, fmt.Errorf("sweep: shard %d/%d in %s is unfinished: %d of %d points", s.m.Shard, m0.Shards, s.dir, len(got), s.m.Last-s.m.First)
		}
		pts = append(pts, got...)
		data, err := os.ReadFile(filepath.Join(s.dir, "points.csv"))
		if err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		body = append(body, data[bytes.IndexByte(data, '\n')+1:]...)
	}
	if len(pts) != m0.Points {
		return nil, fmt.Errorf("sweep: the shards hold %d points; the sweep has %d", len(pts), m0.Points)
	}
	out := &Outcome{Sweep: sw, Points: pts}
	if out.Indices, err = indices(sw, d, pts); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := output.WriteBytes(filepath.Join(dir, "points.csv"), body); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	meta.Rows, meta.Bytes, meta.SHA256 = len(pts), int64(len(body)), hex.EncodeToString(sum[:])
	mj, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := output.WriteBytes(filepath.Join(dir, "points.json"), append(mj, '\n')); err != nil {
		return nil, err
	}
	err = output.WriteFile(filepath.Join(dir, "indices.csv"), func(w io.Writer) error { return writeIndices(w, out.Indices) })
	return out, err
}

func mustRead(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}
