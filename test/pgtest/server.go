package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// superuser is the role initdb creates; the cluster trusts local TCP connections, so no password.
	superuser = "postgres"
	// startAttempts bounds retries when another process grabs the chosen port before postgres binds it.
	startAttempts = 3
	readyTimeout  = 60 * time.Second
	stopTimeout   = 30 * time.Second
)

// Server is a throwaway PostgreSQL cluster listening on 127.0.0.1, run as a child process.
type Server struct {
	dir  string
	port int
	cmd  *exec.Cmd
	// exited is closed when the postgres process has exited; waitErr is its exit status.
	exited  chan struct{}
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// StartServer starts a PostgreSQL cluster whose files live in dir (created if missing; an existing
// cluster there is reused) and waits until it accepts connections. Call Stop to shut it down; the
// files are left in dir. When running as root the cluster runs as the "postgres" account (or
// $PGTEST_USER), which must be able to reach dir.
func StartServer(dir string) (*Server, error) {
	binDir, err := findBinDir()
	if err != nil {
		return nil, err
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir, acct); err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := initCluster(binDir, dir, dataDir, acct); err != nil {
			return nil, err
		}
	}

	var lastErr error
	for attempt := 0; attempt < startAttempts; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := launch(binDir, dir, dataDir, port, acct)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// DSN is a connection string for the superuser and the default database.
func (s *Server) DSN() string {
	return dsnFor(s.port, "postgres")
}

// Pid is the postmaster's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Dir is the directory holding the cluster files and logs.
func (s *Server) Dir() string { return s.dir }

// Stop shuts the server down (fast shutdown, then kill after a timeout) and waits for it to exit.
// It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		// SIGINT is postgres' "fast" shutdown: roll back open transactions, disconnect clients, exit.
		if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
			s.stopErr = fmt.Errorf("signal postgres: %w", err)
		}
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			_ = s.cmd.Process.Kill()
			<-s.exited
			s.stopErr = fmt.Errorf("postgres did not stop within %s and was killed", stopTimeout)
		}
	})
	return s.stopErr
}

func dsnFor(port int, database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// prepareDir creates dir and hands it to the account the server runs as.
func prepareDir(dir string, acct account) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if !acct.switchTo {
		return nil
	}
	if err := os.Chown(dir, acct.uid, acct.gid); err != nil {
		return fmt.Errorf("give %s to account %q: %w", dir, acct.name, err)
	}
	// A private parent (e.g. a t.TempDir under /root) would hide dir from the server account.
	for p := filepath.Dir(dir); p != filepath.Dir(p); p = filepath.Dir(p) {
		info, err := os.Stat(p)
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("account %q cannot reach %s: parent directory %s is not searchable by others; use a directory under /tmp", acct.name, dir, p)
		}
	}
	return nil
}

func initCluster(binDir, dir, dataDir string, acct account) error {
	attr, err := childProcAttr(acct)
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(binDir, "initdb"),
		"--pgdata", dataDir,
		"--username", superuser,
		"--auth", "trust",
		"--encoding", "UTF8",
		"--no-locale",
		// The cluster is thrown away, so skip the fsyncs that make initdb slow.
		"--no-sync",
	)
	cmd.Dir = dir
	cmd.SysProcAttr = attr
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb failed: %w\n%s", err, out)
	}
	return nil
}

func launch(binDir, dir, dataDir string, port int, acct account) (*Server, error) {
	attr, err := childProcAttr(acct)
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	if acct.switchTo {
		if err := logFile.Chown(acct.uid, acct.gid); err != nil {
			return nil, err
		}
	}

	cmd := exec.Command(filepath.Join(binDir, "postgres"),
		"-D", dataDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir,
		// Durability is pointless for a throwaway cluster and costs time on a shared machine.
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
	)
	cmd.Dir = dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	s := &Server{dir: dir, port: port, cmd: cmd, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(logPath); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls until the server accepts a query, failing early when postgres exits.
func (s *Server) waitReady(logPath string) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := ping(ctx, s.DSN())
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited during startup (%v); log %s:\n%s", s.waitErr, logPath, tail(logPath))
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after %s: %w; log %s:\n%s", readyTimeout, err, logPath, tail(logPath))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ping(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}

// freePort asks the kernel for an unused TCP port on the loopback interface.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last lines of a log file for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	const maxBytes = 2000
	if len(b) > maxBytes {
		b = b[len(b)-maxBytes:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}
