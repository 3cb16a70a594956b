package pgtest

import "syscall"

// childProcAttr runs a child as acct and, because a test binary can die without running its
// cleanups (timeout, kill), makes the kernel send postgres a fast-shutdown signal when we die.
func childProcAttr(acct account) (*syscall.SysProcAttr, error) {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGINT}
	if acct.switchTo {
		attr.Credential = &syscall.Credential{Uid: uint32(acct.uid), Gid: uint32(acct.gid)}
	}
	return attr, nil
}
