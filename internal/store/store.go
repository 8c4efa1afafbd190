// Package store keeps case files in SQL: an embedded SQLite file by
// default, or PostgreSQL. Everything of a case except its lookup id, its
// expiry and whether it needs a passphrase is sealed by casefile.Keys
// before it reaches the database, so the store can neither list nor read
// cases without their codes.
package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// DefaultFile is the SQLite file's name inside the data folder.
const DefaultFile = "kakekomi.db"

// Store is a case store. Its methods are safe for concurrent use.
type Store struct {
	db       *sql.DB
	postgres bool
	// Now is the clock for expiry; tests replace it.
	Now func() time.Time
}

// Open opens the store at dsn, creating and migrating it as needed: a
// postgres:// or postgresql:// URL for PostgreSQL, or else the path of a
// SQLite file (its folder is created, readable by the owner only).
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{Now: time.Now}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		s.postgres = true
		s.db, err = sql.Open("pgx", dsn)
	} else {
		s.db, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// openSQLite opens the SQLite file at path. WAL with synchronous=FULL
// makes a committed transaction survive a crash of the process or the
// machine; immediate transactions take the write lock at BEGIN, so two
// writers wait (busy_timeout) instead of failing half-way.
func openSQLite(path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("no database path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// Create the file first so that it (and the -wal and -shm files,
	// which copy its mode) is private to the owner.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	dsn := "file:" + filepath.ToSlash(path) + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=secure_delete(ON)&_txlock=immediate"
	return sql.Open("sqlite", dsn)
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the underlying database, for health checks.
func (s *Store) DB() *sql.DB { return s.db }

// tx runs fn in a transaction, committing if it returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

const (
	bodyLabel     = "case"
	evidencePrefx = "evidence/"
	// partSize is the most plaintext that one sealed part of an evidence
	// file holds.
	partSize = 1 << 20
)

// partLabel binds a sealed part to its file and its place in it.
func partLabel(id string, part int) string { return evidencePrefx + id + "/" + strconv.Itoa(part) }

// Create saves a new case with its evidence files, expiring at expires.
// It reads the files from b.File a part at a time, inside the transaction,
// so a failure there (an import found broken half-way) leaves nothing
// behind. When Create returns nil the case is on disk.
func (s *Store) Create(ctx context.Context, k casefile.Keys, b casefile.Bundle, expires time.Time) error {
	if err := b.Case.Validate(); err != nil {
		return err
	}
	body, err := encode(k, b.Case)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cases (lookup, passphrase, expires, version, body) VALUES ($1, $2, $3, 1, $4)`,
			k.Lookup, boolInt(k.Passphrase), expires.Unix(), body); err != nil {
			return err
		}
		for _, e := range b.Case.Evidence {
			if b.File == nil {
				return fmt.Errorf("evidence %s has no file", e.ID)
			}
			r, err := b.File(e)
			if err != nil {
				return err
			}
			if err := putEvidence(ctx, tx, k, e, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create case: %w", err)
	}
	return nil
}

// Load returns the case the keys open. It returns casefile.ErrNotFound
// for an unknown or expired case and casefile.ErrPassphrase when the
// passphrase is missing or wrong.
func (s *Store) Load(ctx context.Context, k casefile.Keys) (*casefile.Case, error) {
	c, _, err := s.load(ctx, s.db, k, false)
	if err != nil {
		return nil, fmt.Errorf("load case: %w", err)
	}
	return c, nil
}

// HasPassphrase reports whether the case named by lookup (see
// casefile.CodeKeys) has a passphrase, or returns casefile.ErrNotFound for
// an unknown or expired case: what the code alone can tell, before the
// passphrase's slow hash.
func (s *Store) HasPassphrase(ctx context.Context, lookup string) (bool, error) {
	var pass int
	err := s.db.QueryRowContext(ctx, `SELECT passphrase FROM cases WHERE lookup = $1 AND expires > $2`, lookup, s.Now().Unix()).Scan(&pass)
	if errors.Is(err, sql.ErrNoRows) {
		return false, casefile.ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("case passphrase: %w", err)
	}
	return pass != 0, nil
}

// Expires returns when the case expires.
func (s *Store) Expires(ctx context.Context, k casefile.Keys) (time.Time, error) {
	if _, err := s.Load(ctx, k); err != nil {
		return time.Time{}, err
	}
	var exp int64
	if err := s.db.QueryRowContext(ctx, `SELECT expires FROM cases WHERE lookup = $1`, k.Lookup).Scan(&exp); err != nil {
		return time.Time{}, fmt.Errorf("case expiry: %w", err)
	}
	return time.Unix(exp, 0), nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) load(ctx context.Context, q queryer, k casefile.Keys, forUpdate bool) (*casefile.Case, int64, error) {
	query := `SELECT passphrase, version, body FROM cases WHERE lookup = $1 AND expires > $2`
	if forUpdate && s.postgres {
		query += ` FOR UPDATE`
	}
	var (
		pass    int
		version int64
		body    []byte
	)
	err := q.QueryRowContext(ctx, query, k.Lookup, s.Now().Unix()).Scan(&pass, &version, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, casefile.ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	if (pass != 0) != k.Passphrase {
		return nil, 0, casefile.ErrPassphrase
	}
	c, err := decode(k, body)
	return c, version, err
}

// Update loads the case, lets fn change it and saves it, all in one
// transaction, so concurrent changes do not overwrite each other.
func (s *Store) Update(ctx context.Context, k casefile.Keys, fn func(*casefile.Case) error) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return s.update(ctx, tx, k, fn)
	})
	if err != nil {
		return fmt.Errorf("update case: %w", err)
	}
	return nil
}

func (s *Store) update(ctx context.Context, tx *sql.Tx, k casefile.Keys, fn func(*casefile.Case) error) error {
	c, version, err := s.load(ctx, tx, k, true)
	if err != nil {
		return err
	}
	if err := fn(c); err != nil {
		return err
	}
	c.Updated = s.Now()
	if err := c.Validate(); err != nil {
		return err
	}
	body, err := encode(k, c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE cases SET body = $1, version = $2 WHERE lookup = $3 AND version = $4`, body, version+1, k.Lookup, version)
	return err
}

// AddEvidence keeps a file with the case and returns its description.
func (s *Store) AddEvidence(ctx context.Context, k casefile.Keys, name string, data []byte, note string) (casefile.Evidence, error) {
	e, err := casefile.NewEvidence(name, data, s.Now())
	if err != nil {
		return casefile.Evidence{}, err
	}
	e.Note = note
	err = s.tx(ctx, func(tx *sql.Tx) error {
		err := s.update(ctx, tx, k, func(c *casefile.Case) error {
			c.Evidence = append(c.Evidence, e)
			return nil
		})
		if err != nil {
			return err
		}
		return putEvidence(ctx, tx, k, e, bytes.NewReader(data))
	})
	if err != nil {
		return casefile.Evidence{}, fmt.Errorf("add evidence: %w", err)
	}
	return e, nil
}

// RemoveEvidence deletes one evidence file, its bytes with it.
func (s *Store) RemoveEvidence(ctx context.Context, k casefile.Keys, id string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := s.update(ctx, tx, k, func(c *casefile.Case) error {
			i := slices.IndexFunc(c.Evidence, func(e casefile.Evidence) bool { return e.ID == id })
			if i < 0 {
				return fmt.Errorf("evidence %s: %w", id, casefile.ErrNotFound)
			}
			c.Evidence = slices.Delete(c.Evidence, i, i+1)
			return nil
		})
		if err != nil {
			return err
		}
		for _, table := range []string{"evidence_parts", "evidence"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE lookup = $1 AND id = $2`, k.Lookup, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove evidence: %w", err)
	}
	return nil
}

// putEvidence seals the file r reads in parts and inserts them in tx,
// checking it against e's size and SHA-256 at its end.
func putEvidence(ctx context.Context, tx *sql.Tx, k casefile.Keys, e casefile.Evidence, r io.Reader) error {
	h := sha256.New()
	var size int64
	buf := make([]byte, partSize)
	for part := 0; ; part++ {
		n, err := io.ReadFull(r, buf)
		if err == io.EOF && part > 0 {
			break // the last part was full
		}
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return err
		}
		h.Write(buf[:n])
		if size += int64(n); size > e.Size {
			break
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence_parts (lookup, id, part, data) VALUES ($1, $2, $3, $4)`,
			k.Lookup, e.ID, part, k.Seal(partLabel(e.ID, part), buf[:n])); err != nil {
			return err
		}
		if n < partSize {
			break
		}
	}
	if size != e.Size || hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
		return fmt.Errorf("%w: evidence %s does not match its SHA-256", casefile.ErrInvalid, e.ID)
	}
	return nil
}

// Evidence returns the bytes of one evidence file, checked against its hash.
func (s *Store) Evidence(ctx context.Context, k casefile.Keys, id string) ([]byte, error) {
	c, err := s.Load(ctx, k)
	if err != nil {
		return nil, err
	}
	for _, e := range c.Evidence {
		if e.ID == id {
			return io.ReadAll(s.openEvidence(ctx, k, e))
		}
	}
	return nil, fmt.Errorf("evidence %s: %w", id, casefile.ErrNotFound)
}

// Bundle returns the case, for export, with a File that reads its
// evidence files a part at a time.
func (s *Store) Bundle(ctx context.Context, k casefile.Keys) (casefile.Bundle, error) {
	c, err := s.Load(ctx, k)
	if err != nil {
		return casefile.Bundle{}, err
	}
	return casefile.Bundle{Case: c, File: func(e casefile.Evidence) (io.Reader, error) { return s.openEvidence(ctx, k, e), nil }}, nil
}

// evidenceReader reads an evidence file a part at a time, each unsealed
// when it is needed, and checks the whole against its size and SHA-256
// at its end.
type evidenceReader struct {
	ctx         context.Context
	s           *Store
	k           casefile.Keys
	e           casefile.Evidence
	part, parts int
	buf         []byte // what is left of the part read last
	size        int64
	sha         hash.Hash
	err         error
}

func (s *Store) openEvidence(ctx context.Context, k casefile.Keys, e casefile.Evidence) *evidenceReader {
	return &evidenceReader{ctx: ctx, s: s, k: k, e: e, parts: max(1, int((e.Size+partSize-1)/partSize)), sha: sha256.New()}
}

func (r *evidenceReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 && r.err == nil {
		r.err = r.next()
	}
	if len(r.buf) == 0 {
		return 0, r.err
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// next unseals the next part, or checks the file once all were read.
func (r *evidenceReader) next() error {
	if r.part == r.parts {
		if r.size != r.e.Size || hex.EncodeToString(r.sha.Sum(nil)) != r.e.SHA256 {
			return fmt.Errorf("%w: evidence %s does not match its SHA-256", casefile.ErrInvalid, r.e.ID)
		}
		return io.EOF
	}
	var sealed []byte
	label := partLabel(r.e.ID, r.part)
	err := r.s.db.QueryRowContext(r.ctx, `SELECT data FROM evidence_parts WHERE lookup = $1 AND id = $2 AND part = $3`,
		r.k.Lookup, r.e.ID, r.part).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) && r.part == 0 {
		// A file kept before parts came is sealed whole.
		label, r.parts = evidencePrefx+r.e.ID, 1
		err = r.s.db.QueryRowContext(r.ctx, `SELECT data FROM evidence WHERE lookup = $1 AND id = $2`, r.k.Lookup, r.e.ID).Scan(&sealed)
	}
	if err != nil {
		return fmt.Errorf("evidence %s: %w", r.e.ID, err)
	}
	data, err := r.k.Open(label, sealed)
	if err != nil {
		return fmt.Errorf("evidence %s: %w", r.e.ID, err)
	}
	r.sha.Write(data)
	r.size += int64(len(data))
	r.buf = data
	r.part++
	return nil
}

// Renew moves the case's expiry to expires.
func (s *Store) Renew(ctx context.Context, k casefile.Keys, expires time.Time) error {
	if _, err := s.Load(ctx, k); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE cases SET expires = $1 WHERE lookup = $2`, expires.Unix(), k.Lookup); err != nil {
		return fmt.Errorf("renew case: %w", err)
	}
	return nil
}

// Delete removes the case and every file of it. The keys must open the
// case, so that a lookup id alone cannot delete it.
func (s *Store) Delete(ctx context.Context, k casefile.Keys) error {
	if _, err := s.Load(ctx, k); err != nil {
		return err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM evidence_parts WHERE lookup = $1`, k.Lookup); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM evidence WHERE lookup = $1`, k.Lookup); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE lookup = $1`, k.Lookup)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete case: %w", err)
	}
	return nil
}

// Purge deletes every case that expired at or before now, with its
// files, and returns how many cases went.
func (s *Store) Purge(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"evidence_parts", "evidence"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE lookup IN (SELECT lookup FROM cases WHERE expires <= $1)`, now.Unix()); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE expires <= $1`, now.Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge cases: %w", err)
	}
	if n > 0 {
		slog.Info("store: expired cases purged", "count", n)
	}
	return n, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
