package output

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// ManifestFile is the name of a result directory's manifest, written last.
const ManifestFile = "manifest.json"

// LockFile is the name of the lock a command holds on a directory it
// writes; it holds the command's process id.
const LockFile = ".reesim.lock"

// Kind says what a result directory holds; one directory holds one kind.
type Kind string

// The kinds of result directory.
const (
	KindRun         Kind = "run"         // summary.json and its companions (run, merge)
	KindPart        Kind = "part"        // part.json of a shard (run --shard)
	KindSweep       Kind = "sweep"       // points.csv and indices.csv (sweep, sweep merge)
	KindAttribution Kind = "attribution" // attribution.csv (attribute)
	KindComparison  Kind = "comparison"  // differences.csv (compare)
)

// markers are the files that show a directory's kind when it has no
// manifest (a sweep's, which is appended to, or one of an older reesim).
var markers = map[string]Kind{"summary.json": KindRun, "part.json": KindPart, "points.csv": KindSweep, "points.json": KindSweep, "attribution.csv": KindAttribution, "differences.csv": KindComparison}

// Manifest lists the files of a result set with their sizes and SHA-256s.
type Manifest struct {
	Version string         `json:"reesim_version"`
	Kind    Kind           `json:"kind"`
	Files   []ManifestItem `json:"files"`
}

// ManifestItem is one file of a result set.
type ManifestItem struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Lock takes dir's lock file for this process, creating dir if needed. It
// refuses while another live process holds it, and takes over a lock left
// by a process that has gone. unlock removes it.
func Lock(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	path := filepath.Join(dir, LockFile)
	for range 2 {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := fmt.Fprintf(f, "%d\n", os.Getpid())
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("output: %w", werr)
			}
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("output: %w", err)
		}
		data, _ := os.ReadFile(path)
		pid, perr := strconv.Atoi(strings.TrimSpace(string(data)))
		if perr == nil && pid > 0 && alive(pid) {
			return nil, &LockedError{Dir: dir, PID: pid}
		}
		// Left by a process that has gone (or half written): take it.
		os.Remove(path)
	}
	return nil, fmt.Errorf("output: cannot take the lock %s", path)
}

// LockedError says that another process is writing a directory.
type LockedError struct {
	Dir string
	PID int
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is being written by another reesim (process %d); wait for it, or use another --out (if that process is gone, remove %s)", e.Dir, e.PID, filepath.Join(e.Dir, LockFile))
}

func alive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Set writes a result directory as one set. Files are written into a
// staging directory inside it (Dir); Commit moves them into place, removes
// the files of the previous set that the new one does not have, and
// writes the manifest last. Until Commit the directory is as it was
// before; Abort (or a failed Commit's cleanup) removes the staging
// directory. Readers check the manifest (CheckSet), so a set cut short by
// a kill during Commit is refused rather than read mixed.
type Set struct {
	dir, stage string
	kind       Kind
	version    string
	old        *Manifest // the previous set's, or nil
	update     bool      // keep the previous set's files (plot, report)
	created    bool      // dir did not exist before OpenSet
	unlock     func()
	done       bool
}

// OpenSet locks dir (creating it) and starts a new set of the given kind.
// It refuses a directory that holds a result of another kind. With update
// the set adds to or replaces files of the complete set already there,
// which must be of the same kind; without, it replaces that set whole.
func OpenSet(dir string, kind Kind, version string, update bool) (*Set, error) {
	_, err := os.Stat(dir)
	created := errors.Is(err, fs.ErrNotExist)
	unlock, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	s := &Set{dir: dir, kind: kind, version: version, update: update, created: created, unlock: unlock}
	if err := s.open(); err != nil {
		s.Abort()
		return nil, err
	}
	return s, nil
}

// LockKind locks dir (creating it) for a command that writes a result of
// the given kind there without a Set (a sweep, which appends its points),
// refusing a directory that holds a result of another kind.
func LockKind(dir string, kind Kind) (unlock func(), err error) {
	unlock, err = Lock(dir)
	if err != nil {
		return nil, err
	}
	if _, err := checkKind(dir, kind); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// checkKind refuses a directory holding a result of another kind, judged
// by its manifest or, without one, by the files that mark each kind. It
// returns the manifest, if there is one.
func checkKind(dir string, kind Kind) (*Manifest, error) {
	m, err := readManifest(dir)
	switch {
	case err == nil:
		if m.Kind != kind {
			return nil, fmt.Errorf("output: %s holds a %s result; write this %s into another directory", dir, m.Kind, kind)
		}
		return m, nil
	case errors.Is(err, fs.ErrNotExist):
		for _, name := range slices.Sorted(maps.Keys(markers)) {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil && markers[name] != kind {
				return nil, fmt.Errorf("output: %s holds a %s result (%s); write this %s into another directory", dir, markers[name], name, kind)
			}
		}
		return nil, nil
	}
	return nil, err
}

func (s *Set) open() error {
	old, err := checkKind(s.dir, s.kind)
	if err != nil {
		return err
	}
	s.old = old
	if s.update && s.old == nil {
		return CheckSet(s.dir, s.kind) // says why there is no set to add to
	}
	// Staging directories left by a killed command are removed.
	if stale, _ := filepath.Glob(filepath.Join(s.dir, ".reesim-stage-*")); len(stale) > 0 {
		for _, d := range stale {
			os.RemoveAll(d)
		}
	}
	s.stage, err = os.MkdirTemp(s.dir, ".reesim-stage-")
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// Dir is the directory to write the set's files into.
func (s *Set) Dir() string { return s.stage }

// Abort discards the set: the directory is left as it was before OpenSet
// (removed, if OpenSet created it). After Commit it does nothing.
func (s *Set) Abort() { s.finish(true) }

func (s *Set) finish(abort bool) {
	if s.done {
		return
	}
	s.done = true
	if s.stage != "" {
		os.RemoveAll(s.stage)
	}
	s.unlock()
	if abort && s.created {
		os.Remove(s.dir) // only if empty: nothing else was put there
	}
}

// Commit moves the set's files into place and writes the manifest, unless
// ctx is already done (then it aborts).
func (s *Set) Commit(ctx context.Context) error {
	if s.done {
		return errors.New("output: set already committed or aborted")
	}
	if err := ctx.Err(); err != nil {
		s.Abort()
		return context.Cause(ctx)
	}
	entries, err := os.ReadDir(s.stage)
	if err != nil {
		s.Abort()
		return fmt.Errorf("output: %w", err)
	}
	m := &Manifest{Version: s.version, Kind: s.kind}
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue // a writer's own temporary file
		}
		item, err := describe(filepath.Join(s.stage, e.Name()))
		if err != nil {
			s.Abort()
			return err
		}
		item.Name = e.Name()
		m.Files = append(m.Files, item)
		names = append(names, e.Name())
	}
	if s.update {
		// The files kept from the set added to: those still there as
		// they were (a chart removed by hand drops out of the list).
		for _, it := range s.old.Files {
			if slices.Contains(names, it.Name) {
				continue
			}
			if got, err := describe(filepath.Join(s.dir, filepath.Base(it.Name))); err == nil && got.Bytes == it.Bytes && got.SHA256 == it.SHA256 {
				m.Files = append(m.Files, it)
			}
		}
	}
	slices.SortFunc(m.Files, func(a, b ManifestItem) int { return strings.Compare(a.Name, b.Name) })
	// From here the directory is mid-change: without a manifest it reads
	// as incomplete until the new one is written, and a failure leaves it
	// so.
	defer s.finish(false)
	if err := os.Remove(filepath.Join(s.dir, ManifestFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("output: %w", err)
	}
	for _, name := range names {
		if err := os.Rename(filepath.Join(s.stage, name), filepath.Join(s.dir, name)); err != nil {
			return fmt.Errorf("output: %w", err)
		}
	}
	if s.old != nil && !s.update {
		for _, it := range s.old.Files {
			if !slices.Contains(names, it.Name) && filepath.Base(it.Name) == it.Name {
				os.Remove(filepath.Join(s.dir, it.Name)) // stale: of the previous set only
			}
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return WriteBytes(filepath.Join(s.dir, ManifestFile), append(data, '\n'))
}

func describe(path string) (ManifestItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return ManifestItem{}, fmt.Errorf("output: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return ManifestItem{}, fmt.Errorf("output: %w", err)
	}
	return ManifestItem{Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func readManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("output: %s is damaged: %v", filepath.Join(dir, ManifestFile), err)
	}
	return &m, nil
}

// CheckSet checks that dir holds one complete result set of the given
// kind: a manifest, written last, whose listed files are there, of their
// sizes and SHA-256s; only the named ones, if names are given (the files
// a reader reads), and every listed file otherwise. It is how plot,
// report, show and merge refuse a set cut short by a kill or a full disk,
// or mixed with files of another run.
func CheckSet(dir string, kind Kind, names ...string) error {
	m, err := readManifest(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if fi, serr := os.Stat(dir); serr != nil || !fi.IsDir() {
			return fmt.Errorf("output: %s is not a result directory", dir)
		}
		found := false
		for name := range markers {
			if _, serr := os.Stat(filepath.Join(dir, name)); serr == nil {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("output: %s holds no result (no %s, no summary.json)", dir, ManifestFile)
		}
		return fmt.Errorf("output: %s has no %s: its result set is incomplete (a command was stopped while writing it) or not from this reesim; run the command again", dir, ManifestFile)
	}
	if err != nil {
		return err
	}
	if m.Kind != kind {
		return fmt.Errorf("output: %s holds a %s result, not a %s result", dir, m.Kind, kind)
	}
	for _, name := range names {
		if !slices.ContainsFunc(m.Files, func(it ManifestItem) bool { return it.Name == name }) {
			return fmt.Errorf("output: %s is incomplete: its manifest does not list %s; run the command again", dir, name)
		}
	}
	for _, it := range m.Files {
		if len(names) > 0 && !slices.Contains(names, it.Name) {
			continue
		}
		got, err := describe(filepath.Join(dir, filepath.Base(it.Name)))
		if err != nil {
			return fmt.Errorf("output: %s is incomplete: %s is missing; run the command again", dir, it.Name)
		}
		if got.Bytes != it.Bytes || got.SHA256 != it.SHA256 {
			return fmt.Errorf("output: %s is damaged or mixed: %s is not the file its manifest lists; run the command again", dir, it.Name)
		}
	}
	return nil
}
