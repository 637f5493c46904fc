package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
)

// progressMagic starts the first line of a usage import's progress file.
const progressMagic = "saasplane-usage-import 1"

// progressFile is the record of the rows of one file's content that the
// server has acknowledged: a header line naming the content's SHA-256,
// then one line number per acknowledged row, appended as each answer
// comes.
// A row missing from it (an answer lost to a kill) is sent again with the
// same Idempotency-Key, which the server answers without counting twice.
type progressFile struct {
	path string
	mu   sync.Mutex
	f    *os.File
	err  error // the first write error
}

// loadProgress reads the lines already acknowledged for the content of
// sum from path (none when the file does not exist). A progress file of
// another content is refused: its rows are not this file's.
func loadProgress(path, sum string, rows int) (map[int]bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[int]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read progress file: %w", err)
	}
	first, rest, _ := bytes.Cut(b, []byte("\n"))
	if want := progressHeader(sum, rows); string(first) != want {
		if !strings.HasPrefix(string(first), progressMagic+" ") {
			return nil, fmt.Errorf("%s is not a usage import progress file; remove it or give --progress-file", path)
		}
		return nil, fmt.Errorf("%s records an import of another content of the file (%s, this one is sha256:%s): the file changed after that import began. "+
			"Restore it to finish that import, or remove the progress file to import this content as a new file (rows that import already sent would count again)", path, strings.Fields(string(first))[2], sum)
	}
	done := map[int]bool{}
	lines := bytes.Split(rest, []byte("\n"))
	// The last piece is what follows the last newline: empty, or a torn
	// line (the process died mid-write; "12" may be the start of "1234"),
	// which is skipped: its row is sent again, and the server recognises
	// its key.
	for _, l := range lines[:len(lines)-1] {
		if n, err := strconv.Atoi(string(l)); err == nil && n > 1 {
			done[n] = true
		}
	}
	return done, nil
}

func progressHeader(sum string, rows int) string {
	return fmt.Sprintf("%s sha256:%s rows:%d", progressMagic, sum, rows)
}

// openProgress opens path for appending, writing the header if new. A
// torn last line is cut off first: it was skipped when the file was read,
// and must not become a whole line ("12" of "1234") by what follows it.
func openProgress(path, sum string, rows int) (*progressFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open progress file: %w", err)
	}
	p := &progressFile{path: path, f: f}
	b, err := io.ReadAll(f)
	if err == nil && len(b) == 0 {
		_, err = f.Write([]byte(progressHeader(sum, rows) + "\n"))
	} else if err == nil && b[len(b)-1] != '\n' {
		err = f.Truncate(int64(bytes.LastIndexByte(b, '\n') + 1))
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open progress file: %w", err)
	}
	return p, nil
}

// Done records that the row at line was acknowledged: one write of one
// whole line, so that a kill loses at most the line being written.
func (p *progressFile) Done(line int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.f.Write([]byte(strconv.Itoa(line) + "\n")); err != nil && p.err == nil {
		p.err = err
	}
}

// Close syncs and closes the file, and reports the first write error.
func (p *progressFile) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var err error
	if p.err != nil {
		err = fmt.Errorf("write progress file %s: %w", p.path, p.err)
	}
	if serr := p.f.Sync(); err == nil && serr != nil {
		err = fmt.Errorf("sync progress file: %w", serr)
	}
	if cerr := p.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close progress file: %w", cerr)
	}
	return err
}
