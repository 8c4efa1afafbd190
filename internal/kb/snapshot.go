package kb

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// SnapshotFile is the snapshot's name in the knowledge base folder.
const SnapshotFile = "snapshot.bin"

// snapshotMagic starts a snapshot's first line, followed by the key of
// the YAML files it was made from.
const snapshotMagic = "kakekomi knowledge base snapshot"

// Snapshot returns the knowledge base of the YAML files in fsys as a
// snapshot, which Builtin reads at start instead of decoding YAML: most of
// a one-shot command's time went to that. It holds the decoded knowledge
// base as JSON, every exported field of KB included as it is (the models
// stay in models/*.bin), after a line naming the YAML it came from.
// Snapshot refuses a knowledge base with problems.
func Snapshot(fsys fs.FS) ([]byte, error) {
	l := newLoader(fsys)
	k, hols := l.decodeYAML()
	body, err := json.Marshal(k) // before finish adds to it what the snapshot does not keep
	if err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	l.finish(k)
	validate(k, l, hols)
	if err := l.err(); err != nil {
		return nil, err
	}
	key, err := sourceKey(fsys)
	if err != nil {
		return nil, err
	}
	return append([]byte(snapshotMagic+" "+key+"\n"), body...), nil
}

// SnapshotMatches reports whether the snapshot in fsys is the one Snapshot
// makes of its YAML files as they are now.
func SnapshotMatches(fsys fs.FS) (bool, error) {
	want, err := Snapshot(fsys)
	if err != nil {
		return false, err
	}
	got, err := fs.ReadFile(fsys, SnapshotFile)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return bytes.Equal(got, want), nil
}

// Builtin returns the knowledge base built into the binary. It reads the
// snapshot when the snapshot was made from the embedded YAML files, and
// decodes the YAML otherwise (someone edited it and has not yet run
// `kakekomi kb snapshot`), so it never answers from stale data.
func Builtin() (*KB, error) { return open(Embedded()) }

func open(fsys fs.FS) (*KB, error) {
	k, err := fromSnapshot(fsys)
	if err != nil {
		return Load(fsys)
	}
	return k, nil
}

// fromSnapshot reads the knowledge base of fsys from its snapshot.
func fromSnapshot(fsys fs.FS) (*KB, error) {
	k, err := readSnapshot(fsys)
	if err != nil {
		return nil, err
	}
	l := newLoader(fsys)
	l.finish(k)
	return k, l.err()
}

// readSnapshot decodes the snapshot of fsys, refusing one made from other
// YAML files or for other fields.
func readSnapshot(fsys fs.FS) (*KB, error) {
	data, err := fs.ReadFile(fsys, SnapshotFile)
	if err != nil {
		return nil, err
	}
	head, body, _ := bytes.Cut(data, []byte("\n"))
	key, err := sourceKey(fsys)
	if err != nil {
		return nil, err
	}
	if string(head) != snapshotMagic+" "+key {
		return nil, fmt.Errorf("%s was not made from these YAML files", SnapshotFile)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields() // a field renamed since the snapshot was made
	k := new(KB)
	if err := dec.Decode(k); err != nil {
		return nil, fmt.Errorf("decode %s: %w", SnapshotFile, err)
	}
	return k, nil
}

// sourceKey is a SHA-256 of every YAML file of fsys, names and contents:
// hashing them costs well under a millisecond, decoding them a hundred.
func sourceKey(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".yaml") {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
		h.Write(data)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("hash the knowledge base files: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
