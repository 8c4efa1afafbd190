-- An evidence file is sealed in parts of at most 1 MiB, a row each, so that
-- it is written, read and exported a part at a time, never whole in memory.
-- Files kept before stay whole in evidence.
CREATE TABLE evidence_parts (
	lookup TEXT NOT NULL REFERENCES cases (lookup) ON DELETE CASCADE,
	id     TEXT NOT NULL,
	part   INTEGER NOT NULL,
	data   BYTEA NOT NULL,
	PRIMARY KEY (lookup, id, part)
);
