package emulator

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Server serves one World over HTTP to aws-sdk-go-v2 clients: point every
// client's BaseEndpoint at URL(). It is an http.Handler, so it can also be
// mounted in an httptest.Server.
type Server struct {
	world    *World
	cfg      ServerConfig
	services map[string]*service
	sessions *sessionStore
	stats    *statsRecorder
	quotas   *quotaLimiter // nil when quotas are off
	revoked  revocations
	keys     keyIndex
	late     timerLateness

	mu   sync.Mutex
	http *http.Server
	url  string
}

// NewServer serves w with the behaviour of w.Config.Server adjusted by opts.
func NewServer(w *World, opts ...Option) *Server {
	cfg := w.Config.Server
	for _, opt := range opts {
		opt(&cfg)
	}
	s := &Server{
		world:    w,
		cfg:      cfg,
		services: newServiceTable(),
		sessions: newSessionStore(),
		stats:    newStatsRecorder(),
	}
	if cfg.Quotas.Enabled {
		s.quotas = newQuotaLimiter(cfg.Quotas)
	}
	return s
}

// World returns the served World.
func (s *Server) World() *World { return s.world }

// Start listens on a free port of 127.0.0.1 and returns the base URL.
func (s *Server) Start() (string, error) { return s.StartOn("127.0.0.1:0") }

// StartOn listens on addr ("127.0.0.1:4566") and returns the base URL.
func (s *Server) StartOn(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http != nil {
		return "", errors.New("emulator: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go s.http.Serve(ln)
	return s.url, nil
}

// URL is the base URL once started.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops listening and drops open connections.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http == nil {
		return nil
	}
	return s.http.Close()
}

// Stats returns a snapshot of the call counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the call counters.
func (s *Server) ResetStats() { s.stats.reset() }

// ServeHTTP authenticates a call, routes it to its service and operation, and
// applies latency, quotas and faults before serving it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	arrived := time.Now()
	requestID := uuid.NewString()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, nil, requestID, clientError("SerializationException", "reading the body: %v", err))
		return
	}
	scope, err := parseCredentialScope(r)
	if err != nil {
		code := "IncompleteSignatureException"
		if errors.Is(err, errMissingAuth) {
			code = "MissingAuthenticationTokenException"
		}
		writeError(w, nil, requestID, withStatus(clientError(code, "%v", err), http.StatusForbidden))
		return
	}
	svc := s.services[scope.Service]
	if svc == nil {
		writeError(w, nil, requestID, clientError("UnknownOperationException", "the emulator does not serve %q", scope.Service))
		return
	}
	var form url.Values
	if svc.protocol == awsQuery || svc.protocol == ec2Query {
		if form, err = url.ParseQuery(string(body)); err != nil {
			writeError(w, svc, requestID, clientError("MalformedQueryString", "%v", err))
			return
		}
	}
	op := svc.operationName(r, form)
	serve := svc.ops[op]
	if serve == nil {
		writeError(w, svc, requestID, unknownOperation(svc, op))
		return
	}
	who, aerr := s.authenticate(scope.AccessKeyID, r.Header.Get("X-Amz-Security-Token"))
	if aerr == nil && svc.regional && !s.world.regionEnabled(who.Account, scope.Region) {
		// What AWS answers in an opt-in region the account has not enabled.
		aerr = unrecognizedClient()
	}
	if aerr != nil {
		writeError(w, svc, requestID, authError(svc, aerr))
		return
	}

	key := StatKey{Account: who.Account, Region: scope.Region, Operation: svc.name + ":" + op}
	if slices.Contains(s.cfg.Faults.DeniedOperations, key.Operation) || slices.Contains(s.cfg.Faults.DeniedOperationsByAccount[who.Account], key.Operation) {
		s.stats.call(key)
		writeError(w, svc, requestID, svc.accessDenied(who, key.Operation))
		return
	}
	n := s.stats.call(key)
	// The answer is worked out as the call arrives and held until its latency is up: the
	// emulator's own work is part of the latency, as AWS's is, not added after it.
	var answer heldResponse
	s.answer(&answer, svc, op, requestID, key, n, func() (any, error) {
		return serve(s, &request{op: op, caller: who, region: scope.Region, body: body, form: form})
	})
	s.delay(r.Context(), key, n, arrived)
	if r.Context().Err() != nil {
		return // the client gave up waiting
	}
	answer.writeTo(w)
}

// answer writes a call's answer to w: throttled when over its quota (counted as it arrives, as
// AWS counts it), an injected fault, or what serve returns.
func (s *Server) answer(w http.ResponseWriter, svc *service, op, requestID string, key StatKey, n int64, serve func() (any, error)) {
	if s.quotas != nil && !s.quotas.allow(key) {
		s.stats.throttled(key)
		writeError(w, svc, requestID, withStatus(clientError(svc.throttleCode, "Rate exceeded"), svc.throttleHTTP))
		return
	}
	if fault := s.internalFault(svc, key, n); fault != nil {
		s.stats.fault(key)
		writeError(w, svc, requestID, fault)
		return
	}
	out, err := serve()
	if err != nil {
		var e *apiError
		if !errors.As(err, &e) {
			e = serverError(svc.internalCode, err.Error())
		}
		writeError(w, svc, requestID, e)
		return
	}
	writeResult(w, svc, op, requestID, out)
}

func unknownOperation(svc *service, op string) *apiError {
	if svc.protocol == ec2Query {
		return clientError("InvalidAction", "The action %s is not valid for this web service.", op)
	}
	if svc.protocol == awsQuery {
		return clientError("InvalidAction", "Could not find operation %s for version 2011-06-15", op)
	}
	return clientError("UnknownOperationException", "the emulator does not implement %s operation %q", svc.name, op)
}

// authError words an authentication failure the way each protocol does.
func authError(svc *service, e *apiError) *apiError {
	switch svc.protocol {
	case ec2Query:
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
		return withStatus(clientError("AuthFailure", "%s", e.Message), http.StatusUnauthorized)
	case awsQuery:
		if e.Code == "UnrecognizedClientException" {
			return withStatus(clientError("InvalidClientTokenId", "%s", e.Message), http.StatusForbidden)
		}
		return clientError("ExpiredToken", "%s", e.Message)
	case restJSON:
		return withStatus(e, http.StatusForbidden)
	}
	return e
}
