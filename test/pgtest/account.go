package pgtest

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
)

// userEnv overrides the account the server runs as when the tests run as root.
const userEnv = "PGTEST_USER"

// account is the operating-system user that owns the cluster files and runs initdb and postgres.
type account struct {
	name     string
	uid, gid int
	// switchTo is set when the current process (root) must drop to this account for the child processes.
	switchTo bool
}

// serverAccount returns the current user, or an unprivileged account when running as root, because
// initdb and postgres refuse to run as root. The Debian postgresql package creates the "postgres" account.
func serverAccount() (account, error) {
	if os.Geteuid() != 0 {
		return account{uid: os.Geteuid(), gid: os.Getegid()}, nil
	}
	name := os.Getenv(userEnv)
	if name == "" {
		name = "postgres"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return account{}, fmt.Errorf("running as root, and initdb refuses root, but the account %q to run PostgreSQL as was not found "+
			"(the Debian postgresql package creates it; or create one with `useradd --system %s`, or set %s): %w", name, name, userEnv, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return account{}, fmt.Errorf("account %q has a non-numeric uid %q", name, u.Uid)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return account{}, fmt.Errorf("account %q has a non-numeric gid %q", name, u.Gid)
	}
	return account{name: name, uid: uid, gid: gid, switchTo: true}, nil
}
