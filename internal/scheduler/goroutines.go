package scheduler

import "time"

// goroutineIdle is how long a finished goroutine waits for the next task before it ends.
const goroutineIdle = 100 * time.Millisecond

// goroutines runs tasks on goroutines that, once done, take the next task handed to Go within
// goroutineIdle: a table's resolver or a resource's columns call AWS through the SDK's deep
// middleware stack, and a goroutine whose stack already grew for one call serves the next
// without growing (copying) it again. Go never waits: with no goroutine idle, it starts one.
type goroutines struct {
	tasks chan func()
	quit  chan struct{}
}

func newGoroutines() *goroutines {
	return &goroutines{tasks: make(chan func()), quit: make(chan struct{})}
}

// Go runs task on an idle goroutine or a new one.
func (g *goroutines) Go(task func()) {
	select {
	case g.tasks <- task:
	default:
		go g.run(task)
	}
}

func (g *goroutines) run(task func()) {
	idle := time.NewTimer(goroutineIdle)
	defer idle.Stop()
	for {
		task()
		task = nil
		idle.Reset(goroutineIdle)
		select {
		case task = <-g.tasks:
		case <-idle.C:
			return
		case <-g.quit:
			return
		}
	}
}

// stop ends the idle goroutines; tasks still running finish.
func (g *goroutines) stop() { close(g.quit) }
