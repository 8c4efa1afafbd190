package casefile

import (
	"bytes"
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

// allowedTypes are the media types kept as evidence as they are:
// screenshots, saved mails and pages (text), PDFs and recordings. Anything
// else (archives, office files with macros) is refused, because a desk may
// open these files and we must not pass on something that runs; programs
// are kept, made safe (see Runnable).
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

// RunnableType is the media type of evidence that can run. Such a file may
// be the evidence itself (the fake app a scam had installed, the script a
// phishing mail carried), so it is kept byte for byte with its SHA-256, as
// data that nothing opens: under this type, never shown, and under its name
// with RunnableSuffix, which no system runs when the file is opened.
const (
	RunnableType   = "application/octet-stream"
	RunnableSuffix = ".evidence"
)

// runnableExts are the endings of files that Windows, macOS, Android or a
// Linux desktop runs, installs or lets run script when the file is opened.
var runnableExts = map[string]bool{
	".bat": true, ".cmd": true, ".com": true, ".cpl": true, ".exe": true, ".scr": true, ".pif": true,
	".msi": true, ".msp": true, ".msc": true, ".lnk": true, ".inf": true, ".reg": true, ".scf": true, ".url": true,
	".hta": true, ".js": true, ".jse": true, ".vbs": true, ".vbe": true, ".wsf": true, ".wsh": true, ".ps1": true, ".psm1": true,
	".jar": true, ".apk": true, ".xapk": true, ".aab": true, ".ipa": true,
	".appx": true, ".appxbundle": true, ".msix": true, ".msixbundle": true,
	".app": true, ".command": true, ".pkg": true, ".dmg": true, ".sh": true, ".desktop": true,
	".html": true, ".htm": true, ".xhtml": true, ".svg": true, ".mht": true, ".mhtml": true,
}

// programMagic are the first bytes of programs: Windows (PE, and DOS
// before it), Linux (ELF) and macOS (Mach-O, 32 and 64 bits in both byte
// orders, and universal binaries).
var programMagic = []string{"MZ", "\x7fELF", "\xfe\xed\xfa\xce", "\xfe\xed\xfa\xcf", "\xce\xfa\xed\xfe", "\xcf\xfa\xed\xfe", "\xca\xfe\xba\xbe"}

// Runnable reports whether a file named name with the bytes data can run
// when opened: by the end of its name, as Windows reads it (any case,
// trailing dots and spaces dropped), or by bytes that start like a
// program, whatever the name says.
func Runnable(name string, data []byte) bool {
	ext := strings.ToLower(filepath.Ext(strings.TrimRight(CleanName(name), ". ")))
	if runnableExts[ext] {
		return true
	}
	for _, m := range programMagic {
		if bytes.HasPrefix(data, []byte(m)) {
			return true
		}
	}
	return false
}

// NewEvidence describes the file data named name, received at now. The
// media type is sniffed from the bytes, not taken from the name; a file
// that can run is kept as RunnableType under a name made safe.
func NewEvidence(name string, data []byte, now time.Time) (Evidence, error) {
	if len(data) == 0 {
		return Evidence{}, ErrEmptyFile
	}
	if len(data) > MaxEvidenceBytes {
		return Evidence{}, fmt.Errorf("%w: a file may be at most %d MB", ErrTooLarge, MaxEvidenceBytes>>20)
	}
	mt, clean := http.DetectContentType(data), CleanName(name)
	if Runnable(name, data) {
		mt, clean = RunnableType, strings.TrimRight(clean, ". ")+RunnableSuffix
	} else if base, _, _ := strings.Cut(mt, ";"); !allowedTypes[base] {
		return Evidence{}, fmt.Errorf("%w (%s; screenshots, PDFs, saved mails and text only)", ErrFileType, base)
	}
	sum := sha256.Sum256(data)
	return Evidence{
		ID:       newID(),
		Name:     clean,
		Type:     mt,
		Size:     int64(len(data)),
		SHA256:   hex.EncodeToString(sum[:]),
		Received: now,
	}, nil
}

// Runnable reports whether e is a file that can run, kept made safe.
func (e Evidence) Runnable() bool { return e.Type == RunnableType }

// CleanName keeps the last element of a file name and drops control,
// direction (which can show "exe.jpg" for "gpj.exe") and path characters,
// so that a name is safe in a ZIP entry or a page.
func CleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '/' || r == ':' || r == '"' || r == '<' || r == '>' || r == '|' || r == '*' || r == '?' {
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
