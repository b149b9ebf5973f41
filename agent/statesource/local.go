package statesource

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// fetchLocal reads a file, every *.tfstate below a directory, or every file a
// doublestar glob matches.
func fetchLocal(ctx context.Context, src string, opts Options) ([]Document, error) {
	if hasMeta(src) {
		return fetchLocalGlob(ctx, src, opts)
	}
	path := filepath.Clean(src)
	info, err := os.Stat(path)
	if err != nil {
		return nil, localError(path, err)
	}
	if !info.IsDir() {
		d, err := readLocalFile(ctx, path, opts.maxBytes())
		if err != nil {
			return nil, err
		}
		return []Document{d}, nil
	}
	names, err := walkStateFiles(ctx, path)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("read state %s: %w: no %s below the directory", path, ErrNoMatch, defaultStatePattern)
	}
	return fetchEach(ctx, names, func(ctx context.Context, name string) (Document, error) {
		return readLocalFile(ctx, name, opts.maxBytes())
	})
}

// walkStateFiles lists *.tfstate files below dir. It skips .terraform
// directories, which hold provider caches and copies of remote state.
func walkStateFiles(ctx context.Context, dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".terraform" && path != dir {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".tfstate") && d.Type().IsRegular() {
			names = append(names, path)
		}
		return nil
	})
	if err != nil {
		return nil, localError(dir, err)
	}
	return names, nil
}

func fetchLocalGlob(ctx context.Context, pattern string, opts Options) ([]Document, error) {
	pattern = filepath.Clean(pattern)
	if !doublestar.ValidatePathPattern(pattern) {
		return nil, fmt.Errorf("%w: %s: invalid glob", ErrBadSource, pattern)
	}
	matches, err := doublestar.FilepathGlob(pattern, doublestar.WithFilesOnly())
	if err != nil {
		return nil, localError(pattern, err)
	}
	// A "**" would otherwise descend into .terraform/ caches; only a pattern
	// that names .terraform itself may select files there.
	wantDotTerraform := strings.Contains(pattern, ".terraform"+string(filepath.Separator))
	names := matches[:0]
	for _, m := range matches {
		if !wantDotTerraform && inDotTerraform(m) {
			continue
		}
		names = append(names, m)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("read state %s: %w", pattern, ErrNoMatch)
	}
	return fetchEach(ctx, names, func(ctx context.Context, name string) (Document, error) {
		return readLocalFile(ctx, name, opts.maxBytes())
	})
}

func inDotTerraform(path string) bool {
	for _, part := range strings.Split(filepath.Dir(path), string(filepath.Separator)) {
		if part == ".terraform" {
			return true
		}
	}
	return false
}

func readLocalFile(ctx context.Context, path string, max int64) (Document, error) {
	if err := ctx.Err(); err != nil {
		return Document{}, fmt.Errorf("read state %s: %w: %w", path, ErrFetch, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return Document{}, localError(path, err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		if err := checkSize(path, info.Size(), max); err != nil {
			return Document{}, err
		}
	}
	data, err := readLimited(f, path, max)
	if err != nil {
		return Document{}, err
	}
	return Document{Source: path, Data: data}, nil
}

// localError maps file-system errors to the package's sentinels.
func localError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("read state %s: %w", path, ErrNotFound)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("read state %s: %w: %w", path, ErrAccessDenied, err)
	default:
		return fmt.Errorf("read state %s: %w: %w", path, ErrFetch, err)
	}
}
