package casefile

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// allowedTypes are the media types kept as evidence: screenshots, saved
// mails and pages (text), PDFs and recordings. Anything else (programs,
// archives, office files with macros) is refused, because a desk may open
// these files and we must not pass on something that runs.
var allowedTypes = map[string]bool{
	"image/png":       true,
	"image/jpeg":      true,
	"image/gif":       true,
	"image/webp":      true,
	"image/bmp":       true,
	"application/pdf": true,
	"text/plain":      true,
	"video/mp4":       true,
	"audio/mpeg":      true,
	"audio/wave":      true,
}

// NewEvidence describes the file data named name, received at now. The
// media type is sniffed from the bytes, not taken from the name.
func NewEvidence(name string, data []byte, now time.Time) (Evidence, error) {
	if len(data) == 0 {
		return Evidence{}, fmt.Errorf("%w: %s is empty", ErrInvalid, name)
	}
	if len(data) > MaxEvidenceBytes {
		return Evidence{}, fmt.Errorf("%w: a file may be at most %d MB", ErrTooLarge, MaxEvidenceBytes>>20)
	}
	mt := http.DetectContentType(data)
	base, _, _ := strings.Cut(mt, ";")
	if !allowedTypes[base] {
		return Evidence{}, fmt.Errorf("%w: files of type %s cannot be kept (screenshots, PDFs, saved mails and text only)", ErrInvalid, base)
	}
	sum := sha256.Sum256(data)
	return Evidence{
		ID:       newID(),
		Name:     CleanName(name),
		Type:     mt,
		Size:     int64(len(data)),
		SHA256:   hex.EncodeToString(sum[:]),
		Received: now,
	}, nil
}

// CleanName keeps the last element of a file name and drops control and
// path characters, so that a name is safe in a ZIP entry or a page.
func CleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == ':' || r == '"' || r == '<' || r == '>' || r == '|' || r == '*' || r == '?' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(name, ".")
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	if name == "" {
		name = "file"
	}
	return name
}

// newID returns a random identifier for an evidence item.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
