//go:build !linux

package pgtest

import (
	"errors"
	"syscall"
)

// childProcAttr runs a child as the current user; switching accounts is implemented for Linux only.
func childProcAttr(acct account) (*syscall.SysProcAttr, error) {
	if acct.switchTo {
		return nil, errors.New("pgtest: running as root is supported on Linux only; run the tests as an ordinary user")
	}
	return nil, nil
}
