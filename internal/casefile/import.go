package casefile

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"
)

// Limits of an import. They hold for the bytes as they are read, whatever
// the ZIP's headers claim, so that an import holds no more than case.json
// and a few buffers in memory however the export was made.
const (
	// MaxExportBytes bounds an export file as read: the largest case, its
	// case.json and manifest.json, and the ZIP's own headers.
	MaxExportBytes = MaxCaseBytes + 32<<20
	// maxCaseJSON bounds case.json, which is decoded whole: a case with a
	// timeline of 500 lines of 200 characters, 50 parties and payments and
	// 200 files with notes takes 0.5 MiB.
	maxCaseJSON     = 4 << 20
	maxManifestJSON = 1 << 20
	// Once an export has expanded to more than ratioAllowance bytes, it may
	// not have expanded more than maxRatio times: photos, PDFs and
	// recordings hardly shrink and text shrinks some ten times, while a ZIP
	// bomb expands about a thousand times.
	maxRatio       = 100
	ratioAllowance = maxCaseJSON + MaxEvidenceBytes
)

// Signatures and flags of the ZIP format (APPNOTE.TXT).
const (
	localHeaderSig = 0x04034b50
	dirHeaderSig   = 0x02014b50
	dirEndSig      = 0x06054b50
	descriptorSig  = 0x08074b50

	flagEncrypted       = 1 << 0
	flagDescriptor      = 1 << 3
	flagStrongEncrypted = 1 << 6
	flagMaskedHeaders   = 1 << 13
)

var le = binary.LittleEndian

// ReadBundle starts reading an export from r as a stream: it reads and
// checks case.json, and returns a bundle whose File reads the evidence
// files from r one after the other. The end of the last file (or
// ReadBundle itself, for a case without evidence) also reads the rest of
// the export and checks it, so a caller that keeps what it reads must
// discard all of it unless every file was read to io.EOF.
//
// The export must be laid out as WriteBundle writes it: case.json, the
// evidence files in the order case.json lists them, manifest.json, and the
// ZIP directory listing those entries, as they were read, as plain files.
// Anything else is refused at the first entry out of place, so the entry
// count is bounded by what a case may hold. An entry may not expand beyond
// its limit (the size case.json gives an evidence file), the sizes
// case.json declares may not exceed the case limits, the whole may not
// expand more than maxRatio times, and every entry must match its CRC-32,
// its SHA-256 in case.json and in the manifest. Errors match ErrTooLarge
// for a limit and ErrInvalid for anything else wrong with the export.
func ReadBundle(r io.Reader) (Bundle, error) {
	br := &bundleReader{in: &countingReader{r: bufio.NewReaderSize(r, 64<<10)}}
	c := new(Case)
	if err := br.readJSON("case.json", maxCaseJSON, c); err != nil {
		return Bundle{}, err
	}
	// The sizes case.json declares bound every evidence entry, so they are
	// the total budget; Validate checks them again, but as invalid data.
	var total int64
	for _, e := range c.Evidence {
		if e.Size > MaxEvidenceBytes {
			return Bundle{}, fmt.Errorf("%w: case.json lists a file of %d bytes, more than %d", ErrTooLarge, e.Size, MaxEvidenceBytes)
		}
		total += e.Size
	}
	if total > MaxCaseBytes {
		return Bundle{}, fmt.Errorf("%w: case.json lists %d bytes of files, more than %d", ErrTooLarge, total, MaxCaseBytes)
	}
	if err := c.Validate(); err != nil {
		return Bundle{}, err
	}
	// kakekomi keeps a file that can run under a name that does not, and
	// only the types it accepts: an export that lists anything else was
	// not written by it, and could bring a runnable file into a case.
	for _, e := range c.Evidence {
		base, _, _ := strings.Cut(e.Type, ";")
		if Runnable(e.Name, nil) || !e.Runnable() && !allowedTypes[base] {
			return Bundle{}, fmt.Errorf("%w: evidence %s is not kept as kakekomi keeps files (name or type)", ErrInvalid, e.ID)
		}
	}
	br.c = c
	if len(c.Evidence) == 0 {
		if err := br.finish(); err != nil {
			return Bundle{}, err
		}
	}
	return Bundle{Case: c, File: br.file}, nil
}

// bundleReader reads an export entry by entry.
type bundleReader struct {
	in       *countingReader
	inflated int64      // uncompressed bytes read so far
	read     []zipEntry // the entries read to their end so far
	c        *Case
	next     int          // the index in c.Evidence of the next file
	open     *entryReader // the entry being read
	err      error        // the first failure, which every later call returns
}

// zipEntry is what the local header of an entry and its bytes said, for
// the manifest and the directory to match.
type zipEntry struct {
	name        string
	offset      int64 // of the local header
	method      uint16
	crc         uint32
	csize, size int64
	sha256      string
}

// fail records the first failure of the reader and returns it.
func (br *bundleReader) fail(err error) error {
	if br.err == nil {
		br.err = err
	}
	return br.err
}

// file opens the next evidence file, which must be e. Its end checks it
// against case.json, and the end of the last file checks the rest.
func (br *bundleReader) file(e Evidence) (io.Reader, error) {
	switch {
	case br.err != nil:
		return nil, br.err
	case br.next >= len(br.c.Evidence) || br.c.Evidence[br.next].ID != e.ID:
		return nil, fmt.Errorf("read export: evidence %s asked for out of order", e.ID)
	case br.open != nil:
		return nil, fmt.Errorf("read export: evidence %s asked for before the file before it was read", e.ID)
	}
	e = br.c.Evidence[br.next]
	last := br.next == len(br.c.Evidence)-1
	br.next++
	er, err := br.entry(evidencePath(e), e.Size, func(ze zipEntry) error {
		switch {
		case ze.size != e.Size:
			return fmt.Errorf("%w: evidence %s is shorter than the %d bytes case.json gives", ErrInvalid, e.ID, e.Size)
		case ze.sha256 != e.SHA256:
			return fmt.Errorf("%w: evidence %s does not match its SHA-256", ErrInvalid, e.ID)
		case last:
			return br.finish()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return er, nil
}

// readJSON reads the next entry, which must be called name, as one JSON
// value into v.
func (br *bundleReader) readJSON(name string, limit int64, v any) error {
	er, err := br.entry(name, limit, nil)
	if err != nil {
		return err
	}
	if err := decodeJSON(er, v); err != nil {
		if er.err != nil && er.err != io.EOF { // a limit or a broken stream explains it
			return er.err
		}
		return br.fail(fmt.Errorf("%w: %s: %w", ErrInvalid, name, err))
	}
	io.Copy(io.Discard, er) // to the end, which checks the entry
	if er.err != io.EOF {
		return er.err
	}
	return nil
}

// finish reads manifest.json, checks it against the entries read, and
// reads the ZIP directory that ends the export.
func (br *bundleReader) finish() error {
	var m manifest
	if err := br.readJSON("manifest.json", maxManifestJSON, &m); err != nil {
		return err
	}
	if err := br.checkManifest(m); err != nil {
		return br.fail(err)
	}
	return br.fail(br.directory())
}

func (br *bundleReader) checkManifest(m manifest) error {
	if m.Format != bundleFormat || m.Version != 1 {
		return fmt.Errorf("%w: not a kakekomi case export (format %q version %d)", ErrInvalid, m.Format, m.Version)
	}
	files := br.read[:len(br.read)-1] // all but the manifest
	if len(m.Files) != len(files) {
		return fmt.Errorf("%w: the manifest lists %d files, the export holds %d", ErrInvalid, len(m.Files), len(files))
	}
	listed := make(map[string]manifestFile, len(m.Files))
	for _, mf := range m.Files {
		if _, dup := listed[mf.Path]; dup {
			return fmt.Errorf("%w: the manifest lists %q twice", ErrInvalid, mf.Path)
		}
		listed[mf.Path] = mf
	}
	for _, e := range files {
		if mf, ok := listed[e.name]; !ok || mf.Size != e.size || mf.SHA256 != e.sha256 {
			return fmt.Errorf("%w: %q does not match its SHA-256 in the manifest", ErrInvalid, e.name)
		}
	}
	return nil
}

// entry opens the next entry of the export, which must be a file called
// name of at most limit bytes, and returns the reader of its bytes. The
// end of the entry checks it, then runs atEnd if it is not nil.
func (br *bundleReader) entry(name string, limit int64, atEnd func(zipEntry) error) (*entryReader, error) {
	if br.err != nil {
		return nil, br.err
	}
	er := &entryReader{br: br, e: zipEntry{name: name, offset: br.in.n}, crc: crc32.NewIEEE(), sha: sha256.New(), atEnd: atEnd}
	if err := er.open(limit); err != nil {
		return nil, br.fail(err)
	}
	br.open = er
	return er, nil
}

// entryReader reads the uncompressed bytes of one entry, hashing them and
// refusing more than its limit; its end checks the entry.
type entryReader struct {
	br                *bundleReader
	e                 zipEntry
	src               io.Reader
	descriptor        bool
	hcrc, hcsize, hsz uint32 // the local header's
	start             int64  // where the data starts
	limit, n          int64
	crc               hash.Hash32
	sha               hash.Hash
	atEnd             func(zipEntry) error
	err               error // io.EOF once the entry was read and checked
}

// open reads the local header of the entry.
func (er *entryReader) open(limit int64) error {
	br, name := er.br, er.e.name
	var h [30]byte
	if err := br.full(h[:]); err != nil {
		if len(br.read) == 0 && errors.Is(err, ErrInvalid) {
			return br.outOfPlace(name)
		}
		return err
	}
	if le.Uint32(h[0:]) != localHeaderSig {
		return br.outOfPlace(name)
	}
	flags := le.Uint16(h[6:])
	er.e.method, er.hcrc, er.hcsize, er.hsz = le.Uint16(h[8:]), le.Uint32(h[14:]), le.Uint32(h[18:]), le.Uint32(h[22:])
	got := make([]byte, le.Uint16(h[26:]))
	if err := br.full(got); err != nil {
		return err
	}
	if string(got) != name {
		return br.outOfPlace(name)
	}
	if err := br.skip(int64(le.Uint16(h[28:]))); err != nil { // the extra field
		return err
	}
	er.descriptor = flags&flagDescriptor != 0
	switch {
	case flags&(flagEncrypted|flagStrongEncrypted|flagMaskedHeaders) != 0:
		return fmt.Errorf("%w: %s is encrypted", ErrInvalid, name)
	case er.e.method != zip.Store && er.e.method != zip.Deflate:
		return fmt.Errorf("%w: %s is compressed with method %d", ErrInvalid, name, er.e.method)
	case er.hcsize == 0xffffffff || er.hsz == 0xffffffff:
		return fmt.Errorf("%w: %s has ZIP64 sizes, which no export needs", ErrInvalid, name)
	case !er.descriptor && int64(er.hsz) > limit:
		return fmt.Errorf("%w: %s is %d bytes, more than %d", ErrTooLarge, name, er.hsz, limit)
	case er.e.method == zip.Store && (er.descriptor || er.hcsize != er.hsz):
		return fmt.Errorf("%w: %s is stored without its size", ErrInvalid, name)
	case !er.descriptor:
		limit = int64(er.hsz) // nothing beyond what the header declares
	}
	er.limit = limit
	if er.e.method == zip.Deflate {
		// flate reads byte by byte from in, so no further than its stream.
		er.src = flate.NewReader(br.in)
	} else {
		er.src = io.LimitReader(br.in, int64(er.hcsize))
	}
	er.start = br.in.n
	return nil
}

func (er *entryReader) Read(p []byte) (int, error) {
	if er.err != nil {
		return 0, er.err
	}
	if left := er.limit - er.n; int64(len(p)) > left+1 {
		p = p[:left+1]
	}
	n, err := er.src.Read(p)
	er.crc.Write(p[:n])
	er.sha.Write(p[:n])
	er.n += int64(n)
	switch {
	case er.n > er.limit:
		er.err = fmt.Errorf("%w: %s is larger than %d bytes", ErrTooLarge, er.e.name, er.limit)
	case err != nil && err != io.EOF:
		er.err = er.br.failed(err)
	default:
		if er.err = er.br.expand(n); er.err == nil && err == io.EOF {
			if er.err = er.end(); er.err == nil {
				er.err = io.EOF
			}
		}
	}
	if er.err != nil && er.err != io.EOF {
		er.br.fail(er.err)
	}
	return n, er.err
}

// end checks the entry once its data is read: the data descriptor, the
// sizes and CRC-32, then atEnd.
func (er *entryReader) end() error {
	br := er.br
	er.e.csize, er.e.size, er.e.crc = br.in.n-er.start, er.n, er.crc.Sum32()
	er.e.sha256 = hex.EncodeToString(er.sha.Sum(nil))
	hcrc, hcsize, hsize := er.hcrc, er.hcsize, er.hsz
	if er.descriptor {
		var d [16]byte
		if err := br.full(d[:12]); err != nil {
			return err
		}
		if le.Uint32(d[0:]) == descriptorSig { // the signature is optional
			if err := br.full(d[12:]); err != nil {
				return err
			}
			copy(d[:], d[4:])
		}
		hcrc, hcsize, hsize = le.Uint32(d[0:]), le.Uint32(d[4:]), le.Uint32(d[8:])
	}
	if hcrc != er.e.crc || int64(hcsize) != er.e.csize || int64(hsize) != er.e.size {
		return fmt.Errorf("%w: %s does not match its sizes or CRC-32", ErrInvalid, er.e.name)
	}
	br.read = append(br.read, er.e)
	br.open = nil
	if er.atEnd != nil {
		return er.atEnd(er.e)
	}
	return nil
}

// outOfPlace is the error of an entry that is not the one expected.
func (br *bundleReader) outOfPlace(name string) error {
	if len(br.read) == 0 {
		return fmt.Errorf("%w: not a kakekomi case export, a ZIP file that starts with case.json", ErrInvalid)
	}
	return fmt.Errorf("%w: entry %d is not %s", ErrInvalid, len(br.read)+1, name)
}

// directory reads the ZIP directory, which must list the entries read, as
// they were read, as plain files, and nothing else; then the end of the
// export.
func (br *bundleReader) directory() error {
	start := br.in.n
	for _, e := range br.read {
		var h [46]byte
		if err := br.full(h[:]); err != nil {
			return err
		}
		if le.Uint32(h[0:]) != dirHeaderSig {
			return fmt.Errorf("%w: the export holds files the case does not list", ErrInvalid)
		}
		name := make([]byte, le.Uint16(h[28:]))
		if err := br.full(name); err != nil {
			return err
		}
		if err := br.skip(int64(le.Uint16(h[30:])) + int64(le.Uint16(h[32:]))); err != nil { // extra field, comment
			return err
		}
		fh := zip.FileHeader{Name: string(name), CreatorVersion: le.Uint16(h[4:]), ExternalAttrs: le.Uint32(h[38:])}
		if fh.Name != e.name || le.Uint16(h[10:]) != e.method || le.Uint32(h[16:]) != e.crc ||
			int64(le.Uint32(h[20:])) != e.csize || int64(le.Uint32(h[24:])) != e.size ||
			le.Uint16(h[34:]) != 0 || int64(le.Uint32(h[42:])) != e.offset {
			return fmt.Errorf("%w: the ZIP directory does not match %s", ErrInvalid, e.name)
		}
		if !fh.Mode().IsRegular() {
			return fmt.Errorf("%w: %s is not a plain file", ErrInvalid, e.name)
		}
	}
	size := br.in.n - start
	var end [22]byte
	if err := br.full(end[:]); err != nil {
		return err
	}
	n := uint16(len(br.read))
	switch {
	case le.Uint32(end[0:]) != dirEndSig:
		return fmt.Errorf("%w: the export holds files the case does not list", ErrInvalid)
	case le.Uint16(end[4:]) != 0 || le.Uint16(end[6:]) != 0 || le.Uint16(end[8:]) != n || le.Uint16(end[10:]) != n ||
		int64(le.Uint32(end[12:])) != size || int64(le.Uint32(end[16:])) != start:
		return fmt.Errorf("%w: the end of the ZIP directory does not match", ErrInvalid)
	}
	if err := br.skip(int64(le.Uint16(end[20:]))); err != nil { // the comment
		return err
	}
	if _, err := br.in.ReadByte(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the end of the ZIP")
		}
		return br.failed(err)
	}
	return nil
}

// full reads exactly len(b) bytes of the export.
func (br *bundleReader) full(b []byte) error {
	_, err := io.ReadFull(br.in, b)
	return br.failed(err)
}

// skip reads past n bytes of the export.
func (br *bundleReader) skip(n int64) error {
	_, err := io.CopyN(io.Discard, br.in, n)
	return br.failed(err)
}

// failed describes an error reading the export itself.
func (br *bundleReader) failed(err error) error {
	switch {
	case err == nil, errors.Is(err, ErrTooLarge):
		return err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the export ends too early", ErrInvalid)
	}
	return fmt.Errorf("%w: %w", ErrInvalid, err)
}

// expand counts n more uncompressed bytes against the ratio guard.
func (br *bundleReader) expand(n int) error {
	br.inflated += int64(n)
	if br.inflated > ratioAllowance && br.inflated > maxRatio*br.in.n {
		return fmt.Errorf("%w: the export expands more than %d times, as a ZIP bomb does", ErrTooLarge, maxRatio)
	}
	return nil
}

// countingReader counts the bytes of an export read through it and
// refuses more than MaxExportBytes. It reads byte by byte too, so that a
// decompressor reads no further than its own stream.
type countingReader struct {
	r *bufio.Reader
	n int64
}

var errExportTooLarge = fmt.Errorf("%w: the export is larger than %d MB", ErrTooLarge, MaxExportBytes>>20)

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > MaxExportBytes {
		return n, errExportTooLarge
	}
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err != nil {
		return 0, err
	}
	if c.n++; c.n > MaxExportBytes {
		return 0, errExportTooLarge
	}
	return b, nil
}

// decodeJSON decodes one JSON value from r into v, refusing unknown fields
// and anything after the value.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
