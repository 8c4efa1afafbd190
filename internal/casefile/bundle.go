package casefile

import (
	"archive/zip"
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
	// File returns the bytes of one of Case.Evidence, checked against its
	// size and SHA-256. It is called for each evidence item in turn, in
	// the order of Case.Evidence, and what it returns need only stay valid
	// until the next call, so that a whole case is never in memory. It is
	// nil when the case has no evidence.
	File func(Evidence) ([]byte, error)
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
// manifest.json with the size and SHA-256 of every other entry. At most one
// evidence file is in memory at a time. When WriteBundle fails, what it
// wrote is not a whole export.
func WriteBundle(w io.Writer, b Bundle, now time.Time) error {
	if err := b.Case.Validate(); err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	m := manifest{Format: bundleFormat, Version: 1, Exported: now}
	add := func(name string, data []byte) (manifestFile, error) {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return manifestFile{}, fmt.Errorf("export %s: %w", name, err)
		}
		if _, err := fw.Write(data); err != nil {
			return manifestFile{}, fmt.Errorf("export %s: %w", name, err)
		}
		sum := sha256.Sum256(data)
		mf := manifestFile{Path: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
		m.Files = append(m.Files, mf)
		return mf, nil
	}
	cj, err := json.MarshalIndent(b.Case, "", "  ")
	if err != nil {
		return fmt.Errorf("export case: %w", err)
	}
	if _, err := add("case.json", cj); err != nil {
		return err
	}
	for _, e := range b.Case.Evidence {
		if b.File == nil {
			return fmt.Errorf("export: evidence %s has no file", e.ID)
		}
		data, err := b.File(e)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		mf, err := add(evidencePath(e), data)
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
