-- Cases are stored sealed: the store sees only a lookup id derived from
-- the case code, whether a passphrase is needed, and when the case expires.
-- The types are chosen to mean the same on SQLite and PostgreSQL.
CREATE TABLE cases (
	lookup     TEXT PRIMARY KEY,
	passphrase INTEGER NOT NULL,
	expires    BIGINT NOT NULL,
	version    BIGINT NOT NULL,
	body       BYTEA NOT NULL
);

CREATE INDEX cases_expires ON cases (expires);

CREATE TABLE evidence (
	lookup TEXT NOT NULL REFERENCES cases (lookup) ON DELETE CASCADE,
	id     TEXT NOT NULL,
	data   BYTEA NOT NULL,
	PRIMARY KEY (lookup, id)
);
