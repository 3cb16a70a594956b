package kms

// workers runs functions on a fixed set of goroutines. A key's description goes deep through
// the AWS SDK's middleware, so a goroutine started for each key grew its stack anew every time
// (in the inventory bench, growing stacks was about 5 % of the plugin's CPU, most of it there);
// goroutines kept for an account-region's keys grow theirs once.
type workers chan func()

// startWorkers starts n goroutines that run what run hands them until stop.
func startWorkers(n int) workers {
	w := make(workers)
	for range n {
		go func() {
			for f := range w {
				f()
			}
		}()
	}
	return w
}

// run hands f to a worker, waiting for one to be free.
func (w workers) run(f func()) { w <- f }

// stop lets the workers end once they finished what they were handed.
func (w workers) stop() { close(w) }
