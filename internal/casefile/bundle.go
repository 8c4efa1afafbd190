package casefile

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Bundle is a case with its evidence files: what an export holds.
type Bundle struct {
	Case *Case
	// File opens one of Case.Evidence for reading, so that no file need be
	// in memory whole. It is called for each evidence item in turn, in the
	// order of Case.Evidence, and each file is read to its end before the
	// next is opened: the end checks the file against its size and
	// SHA-256, and reports any fault there as the error instead of io.EOF.
	// File is nil when the case has no evidence.
	File func(Evidence) (io.Reader, error)
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

const bundleFormat = "kakekomi-case"

func evidencePath(e Evidence) string { return "evidence/" + e.ID + "-" + CleanName(e.Name) }

// WriteBundle writes b to w as a ZIP, one entry after the other as it
// goes: case.json, the evidence files in the order of b.Case.Evidence, and
// manifest.json with the size and SHA-256 of every other entry. The
// evidence files are copied as they are read, never whole in memory. When
// WriteBundle fails, what it wrote is not a whole export.
func WriteBundle(w io.Writer, b Bundle, now time.Time) error {
	if err := b.Case.Validate(); err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	m := manifest{Format: bundleFormat, Version: 1, Exported: now}
	add := func(name string, r io.Reader) (manifestFile, error) {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return manifestFile{}, fmt.Errorf("export %s: %w", name, err)
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(fw, h), r)
		if err != nil {
			return manifestFile{}, fmt.Errorf("export %s: %w", name, err)
		}
		mf := manifestFile{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
		m.Files = append(m.Files, mf)
		return mf, nil
	}
	cj, err := json.MarshalIndent(b.Case, "", "  ")
	if err != nil {
		return fmt.Errorf("export case: %w", err)
	}
	if _, err := add("case.json", bytes.NewReader(cj)); err != nil {
		return err
	}
	for _, e := range b.Case.Evidence {
		if b.File == nil {
			return fmt.Errorf("export: evidence %s has no file", e.ID)
		}
		r, err := b.File(e)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		mf, err := add(evidencePath(e), r)
		if err != nil {
			return err
		}
		// The hash the manifest needs checks the file too.
		if mf.Size != e.Size || mf.SHA256 != e.SHA256 {
			return fmt.Errorf("export: %w: evidence %s does not match its SHA-256", ErrInvalid, e.ID)
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
