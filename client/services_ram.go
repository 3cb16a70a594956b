package client

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ram"
)

// lazyServices are the clients only some tables use, built on the first call so that a pair
// whose tables never ask for them costs nothing more.
type lazyServices struct {
	ramOnce sync.Once
	ram     *ram.Client
}

// RAM is the pair's AWS Resource Access Manager client, built on first use.
func (s *Services) RAM() *ram.Client {
	s.lazy.ramOnce.Do(func() { s.lazy.ram = ram.NewFromConfig(s.cfg) })
	return s.lazy.ram
}
