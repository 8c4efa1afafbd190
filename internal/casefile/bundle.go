package casefile

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Bundle is a case with the bytes of its evidence, keyed by evidence id:
// what an export holds.
type Bundle struct {
	Case  *Case
	Files map[string][]byte
}

// manifest is manifest.json of an exported case.
type manifest struct {
	Format   string         `json:"format"`
	Version  int            `json:"version"`
	Exported time.Time      `json:"exported"`
	Files    []manifestFile `json:"files"`
}

type manifestFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

const (
	bundleFormat  = "kakekomi-case"
	maxCaseJSON   = 16 << 20
	maxZipEntries = MaxEntries + 2
	// maxBundleBytes bounds the uncompressed total, whatever the headers
	// claim, so a zip bomb stops here.
	maxBundleBytes = MaxCaseBytes + 2*maxCaseJSON
)

func evidencePath(e Evidence) string { return "evidence/" + e.ID + "-" + CleanName(e.Name) }

// WriteBundle writes b as a ZIP: case.json, the evidence files and
// manifest.json with the size and SHA-256 of every other entry.
func WriteBundle(w io.Writer, b Bundle, now time.Time) error {
	if err := b.Case.Validate(); err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	m := manifest{Format: bundleFormat, Version: 1, Exported: now}
	add := func(name string, data []byte) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		if _, err := fw.Write(data); err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		sum := sha256.Sum256(data)
		m.Files = append(m.Files, manifestFile{Path: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
		return nil
	}
	cj, err := json.MarshalIndent(b.Case, "", "  ")
	if err != nil {
		return fmt.Errorf("export case: %w", err)
	}
	if err := add("case.json", cj); err != nil {
		return err
	}
	for _, e := range b.Case.Evidence {
		data, ok := b.Files[e.ID]
		if !ok {
			return fmt.Errorf("export: evidence %s has no file", e.ID)
		}
		if err := e.Verify(data); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := add(evidencePath(e), data); err != nil {
			return err
		}
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("export manifest: %w", err)
	}
	fw, err := zw.Create("manifest.json")
	if err != nil {
		return fmt.Errorf("export manifest: %w", err)
	}
	if _, err := fw.Write(mj); err != nil {
		return fmt.Errorf("export manifest: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// safeEntryName reports whether a ZIP entry name is a plain relative path
// that stays inside the bundle.
func safeEntryName(name string) bool {
	return name != "" && utf8.ValidString(name) &&
		!strings.ContainsAny(name, "\\:\x00") &&
		!strings.HasPrefix(name, "/") &&
		path.Clean(name) == name &&
		name != ".." && !strings.HasPrefix(name, "../") && !strings.Contains(name, "/../")
}

// ReadBundle reads an exported case. It refuses entries that are not
// plain files with safe relative names (no traversal, absolute paths or
// symlinks), entries or totals beyond the limits however the headers
// describe them, files not in the manifest, and any hash mismatch.
func ReadBundle(r io.ReaderAt, size int64) (Bundle, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Bundle{}, fmt.Errorf("%w: not a ZIP file: %w", ErrInvalid, err)
	}
	if len(zr.File) > maxZipEntries {
		return Bundle{}, fmt.Errorf("%w: more than %d entries", ErrTooLarge, maxZipEntries)
	}
	entries := make(map[string][]byte, len(zr.File))
	var total int64
	for _, f := range zr.File {
		if !safeEntryName(f.Name) {
			return Bundle{}, fmt.Errorf("%w: unsafe entry name %q", ErrInvalid, f.Name)
		}
		if !f.Mode().IsRegular() {
			return Bundle{}, fmt.Errorf("%w: entry %q is not a plain file", ErrInvalid, f.Name)
		}
		if _, dup := entries[f.Name]; dup {
			return Bundle{}, fmt.Errorf("%w: entry %q appears twice", ErrInvalid, f.Name)
		}
		limit := int64(MaxEvidenceBytes)
		if f.Name == "case.json" || f.Name == "manifest.json" {
			limit = maxCaseJSON
		}
		if f.UncompressedSize64 > uint64(limit) {
			return Bundle{}, fmt.Errorf("%w: entry %q is larger than %d bytes", ErrTooLarge, f.Name, limit)
		}
		data, err := readEntry(f, min(limit, maxBundleBytes-total))
		if err != nil {
			return Bundle{}, err
		}
		total += int64(len(data))
		entries[f.Name] = data
	}
	var m manifest
	if err := strictJSON(entries["manifest.json"], &m); err != nil {
		return Bundle{}, fmt.Errorf("%w: manifest.json: %w", ErrInvalid, err)
	}
	if m.Format != bundleFormat || m.Version != 1 {
		return Bundle{}, fmt.Errorf("%w: not a kakekomi case export (format %q version %d)", ErrInvalid, m.Format, m.Version)
	}
	listed := make(map[string]bool, len(m.Files))
	for _, mf := range m.Files {
		data, ok := entries[mf.Path]
		if !ok || listed[mf.Path] {
			return Bundle{}, fmt.Errorf("%w: manifest lists %q, which is missing or repeated", ErrInvalid, mf.Path)
		}
		sum := sha256.Sum256(data)
		if int64(len(data)) != mf.Size || hex.EncodeToString(sum[:]) != mf.SHA256 {
			return Bundle{}, fmt.Errorf("%w: %q does not match its SHA-256 in the manifest", ErrInvalid, mf.Path)
		}
		listed[mf.Path] = true
	}
	for name := range entries {
		if name != "manifest.json" && !listed[name] {
			return Bundle{}, fmt.Errorf("%w: entry %q is not in the manifest", ErrInvalid, name)
		}
	}
	c := new(Case)
	if err := strictJSON(entries["case.json"], c); err != nil {
		return Bundle{}, fmt.Errorf("%w: case.json: %w", ErrInvalid, err)
	}
	if err := c.Validate(); err != nil {
		return Bundle{}, err
	}
	b := Bundle{Case: c, Files: make(map[string][]byte, len(c.Evidence))}
	for _, e := range c.Evidence {
		p := evidencePath(e)
		data, ok := entries[p]
		if !ok || b.Files[e.ID] != nil {
			return Bundle{}, fmt.Errorf("%w: evidence file %q is missing or repeated", ErrInvalid, p)
		}
		if err := e.Verify(data); err != nil {
			return Bundle{}, err
		}
		b.Files[e.ID] = data
	}
	if len(entries) != len(c.Evidence)+2 {
		return Bundle{}, fmt.Errorf("%w: the export holds files the case does not list", ErrInvalid)
	}
	return b, nil
}

// readEntry reads at most limit bytes of f, failing if there are more.
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: entry %q: %w", ErrInvalid, f.Name, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: entry %q: %w", ErrInvalid, f.Name, err)
	}
	if n > limit {
		return nil, fmt.Errorf("%w: entry %q or the whole export is too large", ErrTooLarge, f.Name)
	}
	return buf.Bytes(), nil
}

// strictJSON decodes data into v, refusing unknown fields and trailing data.
func strictJSON(data []byte, v any) error {
	if data == nil {
		return errors.New("missing")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}
