// Command build bundles the operator console (web/console) into
// internal/console/dist with esbuild's Go API, for internal/console to
// embed. npm only fetches the JavaScript packages (scripts/build-console.sh
// runs npm ci first); no esbuild binary is downloaded.
//
// It is idempotent: a file is written only when its content changed, so a
// build with nothing new leaves every file (and Go's test cache) alone.
//
//	go run ./internal/console/build [-root DIR]
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

func main() {
	root := flag.String("root", ".", "the repository's root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "build console:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	src, err := filepath.Abs(filepath.Join(root, "web", "console"))
	if err != nil {
		return err
	}
	out := filepath.Join(root, "internal", "console", "dist")
	if _, err := os.Stat(filepath.Join(src, "node_modules", "preact")); err != nil {
		return fmt.Errorf("%s/node_modules is missing: run scripts/build-console.sh (it runs npm ci first)", src)
	}
	res := api.Build(api.BuildOptions{
		AbsWorkingDir:     src,
		EntryPoints:       []string{"src/main.jsx"},
		Bundle:            true,
		Outdir:            filepath.Join(src, "out"), // names only: nothing is written
		EntryNames:        "app",
		Write:             false,
		MinifyWhitespace:  true,
		MinifySyntax:      true,
		MinifyIdentifiers: true,
		Format:            api.FormatIIFE,
		Target:            api.ES2020,
		JSX:               api.JSXAutomatic,
		JSXImportSource:   "preact",
		Loader:            map[string]api.Loader{".js": api.LoaderJSX},
		LegalComments:     api.LegalCommentsEndOfFile,
		Define:            map[string]string{"process.env.NODE_ENV": `"production"`},
		LogLevel:          api.LogLevelWarning,
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return fmt.Errorf("esbuild:\n%s", strings.Join(msgs, ""))
	}
	files := map[string][]byte{}
	sum := sha256.New()
	for _, f := range res.OutputFiles {
		name := "assets/" + filepath.Base(f.Path)
		files[name] = f.Contents
		sum.Write([]byte(name))
		sum.Write(f.Contents)
	}
	if files["assets/app.js"] == nil || files["assets/app.css"] == nil {
		return fmt.Errorf("esbuild wrote no app.js and app.css")
	}
	index, err := os.ReadFile(filepath.Join(src, "index.html"))
	if err != nil {
		return err
	}
	version := hex.EncodeToString(sum.Sum(nil))[:12]
	files["index.html"] = bytes.ReplaceAll(index, []byte("{{version}}"), []byte(version))

	changed := 0
	for name, b := range files {
		p := filepath.Join(out, filepath.FromSlash(name))
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
		changed++
	}
	// Remove what an older build left and this one did not write.
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		if _, ok := files[filepath.ToSlash(rel)]; !ok && d.Name() != ".gitkeep" {
			changed++
			return os.Remove(p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("console: %s (app.js %d KiB, app.css %d KiB), %d file(s) changed\n", version,
		len(files["assets/app.js"])>>10, len(files["assets/app.css"])>>10, changed)
	return nil
}
