package client

import (
	"context"
	"reflect"
	"sync"

	"github.com/aws/smithy-go/middleware"
)

// A list read page after page is a chain: each page's call waits for the previous page's token.
// The rate limiter lets such follow-up pages go ahead of other waiting calls (reserveFollowUp),
// so that a key with 50,000 grants is read at the latency's pace, not at the pace of a queue.

type followUpKey struct{}

// IsFollowUpPage reports whether ctx is the context of a call for a list's second or later page.
func IsFollowUpPage(ctx context.Context) bool {
	v, _ := ctx.Value(followUpKey{}).(bool)
	return v
}

// pageTokenFields are the input fields by which AWS's list operations ask for a next page: KMS's
// Marker, NextToken elsewhere (CloudTrail, CloudHSMv2, RAM, IAM's Marker too).
var pageTokenFields = []string{"Marker", "NextToken"}

// markFollowUpPages is an initialize step that marks the context of a call whose input carries a
// page token.
var markFollowUpPages = middleware.InitializeMiddlewareFunc("awskms/FollowUpPage",
	func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if hasPageToken(in.Parameters) {
			ctx = context.WithValue(ctx, followUpKey{}, true)
		}
		return next.HandleInitialize(ctx, in)
	})

// tokenFieldIndexes caches, per input type, the indexes of its *string page token fields.
var tokenFieldIndexes sync.Map // reflect.Type -> []int

// hasPageToken reports whether params (a pointer to an operation's input) has a non-empty page
// token.
func hasPageToken(params any) bool {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return false
	}
	v = v.Elem()
	for _, i := range tokenFields(v.Type()) {
		if f := v.Field(i); !f.IsNil() && f.Elem().Len() > 0 {
			return true
		}
	}
	return false
}

func tokenFields(t reflect.Type) []int {
	if cached, ok := tokenFieldIndexes.Load(t); ok {
		return cached.([]int)
	}
	var out []int
	for _, name := range pageTokenFields {
		if f, ok := t.FieldByName(name); ok && len(f.Index) == 1 && f.Type == reflect.TypeOf((*string)(nil)) {
			out = append(out, f.Index[0])
		}
	}
	tokenFieldIndexes.Store(t, out)
	return out
}
