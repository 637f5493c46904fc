package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations are plain SQL files named NNNN_title.sql, one folder per
// dialect, applied in order, each in its own transaction. They are
// append-only: a released file never changes.
//
//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// schema is one set of migrations applied to one database.
type schema struct {
	dir  string  // under migrations/
	pool *sql.DB // where it is applied
	read *sql.DB // where its version is read
}

// schemas lists what Migrate applies: the main schema and, on SQLite, the
// API log's own database file.
func (db *DB) schemas() []schema {
	s := []schema{{dir: string(db.dialect), pool: db.write, read: db.read}}
	if db.dialect == SQLite {
		s = append(s, schema{dir: "sqlite-apilog", pool: db.logWrite, read: db.logRead})
	}
	return s
}

func migrations(folder string) ([]migration, error) {
	dir := path.Join("migrations", folder)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_title.sql", e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must be 1, 2, 3... without gaps", m.name)
		}
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)`

// appliedVersion returns the highest applied version, 0 for a new database.
func (t *Tx) appliedVersion(ctx context.Context) (int, error) {
	var v int
	err := t.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Migrate applies every pending migration, River's job schema first (see
// jobs.go), and returns how many it applied.
// Concurrent callers are safe: SQLite serialises writers and PostgreSQL
// takes a transaction-scoped advisory lock.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	total, err := db.migrateJobs(ctx)
	if err != nil {
		return total, err
	}
	for _, s := range db.schemas() {
		n, err := db.migrate(ctx, s, 0)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// migrate applies the schema's pending migrations up to version upTo (0:
// all of them).
func (db *DB) migrate(ctx context.Context, s schema, upTo int) (int, error) {
	ms, err := migrations(s.dir)
	if err != nil {
		return 0, err
	}
	applied := 0
	for {
		done := false
		// READ COMMITTED (the default), not the serializable isolation of
		// Write: a migrator that waited for the advisory lock must see what
		// the one before it committed.
		err := db.retry(ctx, s.pool, nil, func(tx *Tx) error {
			if db.dialect == Postgres {
				if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7263451)`); err != nil {
					return err
				}
			}
			if _, err := tx.exec(ctx, createMigrationsTable); err != nil {
				return fmt.Errorf("create schema_migrations: %w", err)
			}
			v, err := tx.appliedVersion(ctx)
			if err != nil {
				return err
			}
			if v > len(ms) {
				return fmt.Errorf("database schema version %d is newer than this binary knows (%d): upgrade saasplane", v, len(ms))
			}
			if v == len(ms) || (upTo > 0 && v >= upTo) {
				done = true
				return nil
			}
			m := ms[v]
			if err := tx.execScript(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err = tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, micros(time.Now()))
			return err
		})
		if err != nil {
			return applied, err
		}
		if done {
			return applied, nil
		}
		applied++
	}
}

// execScript runs a multi-statement SQL script.
func (t *Tx) execScript(ctx context.Context, script string) error {
	for _, stmt := range splitStatements(script) {
		if _, err := t.tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w\nin statement:\n%s", err, stmt)
		}
	}
	return nil
}

// splitStatements splits a script on ';' at line ends, dropping comment
// lines. Two kinds of body keep their inner ';'s: a SQLite trigger's,
// from a line "BEGIN" to a line "END;", and a PostgreSQL function's
// between "$$" quotes.
func splitStatements(script string) []string {
	var out []string
	var cur strings.Builder
	inTrigger, inDollar := false, false
	for _, line := range strings.Split(script, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		switch upper := strings.ToUpper(trimmed); {
		case inDollar:
		case upper == "BEGIN":
			inTrigger = true
		case upper == "END;":
			inTrigger = false
		}
		if strings.Count(line, "$$")%2 == 1 {
			inDollar = !inDollar
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if !inTrigger && !inDollar && strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// Pending returns how many migrations have not been applied yet.
func (db *DB) Pending(ctx context.Context) (int, error) {
	total, err := db.pendingJobs(ctx)
	if err != nil {
		return 0, err
	}
	for _, sc := range db.schemas() {
		n, err := db.pending(ctx, sc)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

func (db *DB) pending(ctx context.Context, sc schema) (int, error) {
	ms, err := migrations(sc.dir)
	if err != nil {
		return 0, err
	}
	var v int
	err = db.retry(ctx, sc.read, nil, func(tx *Tx) error {
		var exists bool
		var q string
		if db.dialect == Postgres {
			q = `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations')`
		} else {
			q = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`
		}
		if err := tx.queryRow(ctx, q).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return nil
		}
		var err error
		v, err = tx.appliedVersion(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	return len(ms) - v, nil
}
