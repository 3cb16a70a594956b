package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// adminPrefix serves the emulator's own endpoints, unsigned:
//
//	GET    /_emu/health  {"status":"ok"}
//	GET    /_emu/stats   call counters, one entry per (account, region, operation)
//	DELETE /_emu/stats   reset the counters
//	POST   /_emu/mutate  {"op":"RevokeGrant"|"DeleteAlias"|"AddKey", "account", "region", "keyId", "grantId", "aliasName"}
const adminPrefix = "/_emu/"

// MutateRequest is the body of POST /_emu/mutate.
type MutateRequest struct {
	Op        string `json:"op"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	KeyID     string `json:"keyId,omitempty"`
	GrantID   string `json:"grantId,omitempty"`
	AliasName string `json:"aliasName,omitempty"`
}

// MutateResponse answers POST /_emu/mutate; KeyID and KeyARN name an added key.
type MutateResponse struct {
	OK     bool   `json:"ok"`
	KeyID  string `json:"keyId,omitempty"`
	KeyARN string `json:"keyArn,omitempty"`
	Error  string `json:"error,omitempty"`
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == adminPrefix+"health" && r.Method == http.MethodGet:
		writeAdminJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case r.URL.Path == adminPrefix+"stats" && r.Method == http.MethodGet:
		writeAdminJSON(w, http.StatusOK, s.Stats().Entries())
	case r.URL.Path == adminPrefix+"stats" && r.Method == http.MethodDelete:
		s.ResetStats()
		writeAdminJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	case r.URL.Path == adminPrefix+"mutate" && r.Method == http.MethodPost:
		var req MutateRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeAdminJSON(w, http.StatusBadRequest, MutateResponse{Error: err.Error()})
			return
		}
		resp, err := s.mutate(req)
		status := http.StatusOK
		switch {
		case errors.Is(err, ErrNotFound):
			status = http.StatusNotFound
		case err != nil:
			status = http.StatusBadRequest
		}
		if err != nil {
			resp.Error = err.Error()
		}
		writeAdminJSON(w, status, resp)
	default:
		writeAdminJSON(w, http.StatusNotFound, map[string]string{"error": "no such admin endpoint: " + r.Method + " " + r.URL.Path})
	}
}

// mutate calls the World method the request names.
func (s *Server) mutate(req MutateRequest) (MutateResponse, error) {
	switch req.Op {
	case "RevokeGrant":
		err := s.world.RevokeGrant(req.Account, req.Region, req.KeyID, req.GrantID)
		return MutateResponse{OK: err == nil}, err
	case "DeleteAlias":
		err := s.world.DeleteAlias(req.Account, req.Region, req.AliasName)
		return MutateResponse{OK: err == nil}, err
	case "AddKey":
		k := s.world.AddKey(req.Account, req.Region)
		if k == nil {
			return MutateResponse{}, fmt.Errorf("%w: region %s of account %s", ErrNotFound, req.Region, req.Account)
		}
		return MutateResponse{OK: true, KeyID: k.ID(), KeyARN: k.ARN()}, nil
	}
	return MutateResponse{}, fmt.Errorf("unknown op %q (want RevokeGrant, DeleteAlias or AddKey)", req.Op)
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
