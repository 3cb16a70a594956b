package kms

import (
	"context"

	"github.com/kmsaudit/cq-source-awskms/client"
)

// readAhead calls next for page after page and hands each page to handle in order. The first
// page is read on the caller's goroutine; when more follow, they are read on a goroutine of its
// own, up to ahead pages before handle has taken them. A list's pages are a chain of calls (each
// needs the previous page's marker); read ahead, the chain goes at the API's pace, not at the pace
// of handling its rows. Most lists (a key's grants) are one page, and reading it on the caller's
// goroutine saves starting one whose stack grows anew through the SDK's middleware.
// next reports whether more pages follow. readAhead returns next's error, once the pages read
// before it were handled.
func readAhead[P any](ctx context.Context, ahead int, next func(context.Context) (page P, more bool, err error), handle func(P)) error {
	first, more, err := next(ctx)
	if err != nil {
		return err
	}
	if !more {
		handle(first)
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan P, ahead)
	go func() {
		defer close(pages)
		pageCtx := ctx
		for n := 2; more; n++ {
			if n == 3 {
				// Read beyond its second page, the list is a chain that the sync's other calls
				// make room for (client.WithinLongList).
				pageCtx = client.WithinLongList(ctx)
			}
			var page P
			if page, more, err = next(pageCtx); err != nil {
				return
			}
			select {
			case pages <- page:
			case <-ctx.Done():
				return
			}
		}
	}()
	handle(first)
	for page := range pages {
		handle(page)
	}
	// pages is closed: the reader has returned and err is its last word.
	return err
}
