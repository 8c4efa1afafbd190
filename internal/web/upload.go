package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
)

// errSpill marks a failure to write a spill: the server's fault, not the
// upload's.
var errSpill = errors.New("spill upload")

// errFormTooLarge means the small fields of an upload form went past
// formLimit.
var errFormTooLarge = errors.New("form fields too large")

// readUpload reads a multipart form part by part, so that no part of it
// goes to a temporary file in the clear, as ParseMultipartForm would put
// any file over its memory limit: the first file in the field named file
// goes to save, which must bound what it keeps; the other fields, at most
// formLimit bytes together, become r.PostForm and r.Form, with the query.
// It reports whether the form had a file in that field.
func readUpload(r *http.Request, file string, save func(filename string, body io.Reader) error) (bool, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return false, err
	}
	form, found, left := url.Values{}, false, int64(formLimit)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return found, fmt.Errorf("read form: %w", err)
		}
		switch name := p.FormName(); {
		case name == file && p.FileName() != "" && !found:
			found = true
			if err := save(p.FileName(), p); err != nil {
				return found, err
			}
		case name == file || name == "":
			// A second file, or a part of no field: not read.
		default:
			v, err := io.ReadAll(io.LimitReader(p, left+1))
			if err != nil {
				return found, fmt.Errorf("read form: %w", err)
			}
			if left -= int64(len(v)); left < 0 {
				return found, errFormTooLarge
			}
			form.Add(name, string(v))
		}
	}
	r.PostForm, r.Form = form, url.Values{}
	for k, vs := range form {
		r.Form[k] = slices.Clone(vs)
	}
	for k, vs := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], vs...)
	}
	return found, nil
}

// uploadStatus is the status of an upload that could not be read.
func uploadStatus(err error) int {
	if errors.Is(err, errFormTooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return formStatus(err)
}

// spill keeps an upload too large for memory in a temporary file that has
// no name and is encrypted (AES-256-CTR) with a key only this process
// knows: nothing readable reaches the disk, and nothing is left behind
// however the process ends.
type spill struct {
	f       *os.File
	removed bool
	block   cipher.Block
	enc     cipher.Stream
	buf     []byte
}

// newSpill creates an empty spill in the temporary folder.
func newSpill() (*spill, error) {
	f, err := os.CreateTemp("", "kakekomi-upload-*")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSpill, err)
	}
	// The open file stays usable once unlinked, on Unix; elsewhere Close
	// removes it.
	removed := os.Remove(f.Name()) == nil
	key := make([]byte, 32)
	rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %w", errSpill, err)
	}
	return &spill{f: f, removed: removed, block: block, enc: cipher.NewCTR(block, spillIV)}, nil
}

// spillIV is the counter's start: the key is new for every spill, so a
// fixed one never repeats a key stream.
var spillIV = make([]byte, aes.BlockSize)

func (s *spill) Write(p []byte) (int, error) {
	if len(s.buf) < len(p) {
		s.buf = make([]byte, len(p))
	}
	s.enc.XORKeyStream(s.buf[:len(p)], p)
	n, err := s.f.Write(s.buf[:len(p)])
	if err != nil {
		return n, fmt.Errorf("%w: %w", errSpill, err)
	}
	return n, nil
}

// Reader returns a reader of what was written, decrypted, from the start.
// Writing after it is called is a mistake.
func (s *spill) Reader() (io.Reader, error) {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read spilled upload: %w", err)
	}
	return cipher.StreamReader{S: cipher.NewCTR(s.block, spillIV), R: s.f}, nil
}

// Close closes the spill's file, removing it if it still has a name.
func (s *spill) Close() error {
	err := s.f.Close()
	if !s.removed {
		if rerr := os.Remove(s.f.Name()); err == nil {
			err = rerr
		}
	}
	return err
}
