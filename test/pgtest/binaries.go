package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
)

// ErrNotInstalled means the PostgreSQL server binaries (initdb, postgres) could not be found.
var ErrNotInstalled = errors.New("PostgreSQL server binaries (initdb, postgres) not found: " +
	"install them (Debian/Ubuntu: `apt-get install -y postgresql`), " +
	"or set PGTEST_BIN_DIR to the directory holding initdb and postgres, " +
	"or set PGTEST_DSN to reuse a running server, " +
	"or set PGTEST_SKIP=1 to skip the tests that need PostgreSQL")

// binDirEnv names the directory holding initdb and postgres, overriding the search.
const binDirEnv = "PGTEST_BIN_DIR"

// findBinDir returns the directory holding initdb and postgres: $PGTEST_BIN_DIR, then the
// directory of the initdb found on PATH, then the newest Debian /usr/lib/postgresql/<v>/bin.
func findBinDir() (string, error) {
	if dir := os.Getenv(binDirEnv); dir != "" {
		if !hasServerBinaries(dir) {
			return "", fmt.Errorf("%s=%s does not contain initdb and postgres: %w", binDirEnv, dir, ErrNotInstalled)
		}
		return dir, nil
	}
	if initdb, err := exec.LookPath("initdb"); err == nil {
		// Resolve symlinks so postgres comes from the same installation as initdb.
		if resolved, err := filepath.EvalSymlinks(initdb); err == nil {
			if dir := filepath.Dir(resolved); hasServerBinaries(dir) {
				return dir, nil
			}
		}
	}
	// Debian keeps the server binaries off PATH, one directory per major version.
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(matches, func(i, j int) bool { return majorVersion(matches[i]) > majorVersion(matches[j]) })
	for _, dir := range matches {
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", ErrNotInstalled
}

func hasServerBinaries(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// majorVersion extracts <v> from /usr/lib/postgresql/<v>/bin, 0 when it is not a number.
func majorVersion(binDir string) int {
	v, err := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	if err != nil {
		return 0
	}
	return v
}
