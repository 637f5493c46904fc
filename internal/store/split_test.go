package store

import (
	"slices"
	"testing"
)

// TestSplitStatements: a migration splits at ';' line ends, except inside
// a SQLite trigger's BEGIN ... END; and a PostgreSQL $$ body.
func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		name, script string
		want         []string
	}{
		{"plain", "-- a comment\nCREATE TABLE a (x INT);\n\nCREATE INDEX a_x\n    ON a (x);\n",
			[]string{"CREATE TABLE a (x INT)", "CREATE INDEX a_x\n    ON a (x)"}},
		{"no final ';'", "DROP TABLE a", []string{"DROP TABLE a"}},
		{"sqlite trigger", "CREATE TRIGGER t AFTER DELETE ON a\nBEGIN\n    DELETE FROM b;\n    DELETE FROM c;\nEND;\nDROP TABLE d;\n",
			[]string{"CREATE TRIGGER t AFTER DELETE ON a\nBEGIN\n    DELETE FROM b;\n    DELETE FROM c;\nEND", "DROP TABLE d"}},
		{"postgres function", "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    DELETE FROM b;\n    RETURN NULL;\nEND\n$$;\nCREATE TRIGGER t AFTER DELETE ON a\n    FOR EACH ROW EXECUTE FUNCTION f();\n",
			[]string{"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    DELETE FROM b;\n    RETURN NULL;\nEND\n$$", "CREATE TRIGGER t AFTER DELETE ON a\n    FOR EACH ROW EXECUTE FUNCTION f()"}},
		{"one-line $$ body", "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\nDROP TABLE a;\n",
			[]string{"CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$", "DROP TABLE a"}},
	} {
		if got := splitStatements(tc.script); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
