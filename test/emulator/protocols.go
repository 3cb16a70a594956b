package emulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// protocol is how a service puts requests and responses on the wire.
type protocol int

const (
	// awsJSON is awsJson1.1: POST /, X-Amz-Target names the operation.
	awsJSON protocol = iota
	// restJSON is restJson1: the path names the operation.
	restJSON
	// awsQuery is a form POST with Action=..., answered in XML.
	awsQuery
	// ec2Query is EC2's flavour of it: the result's fields directly under <ActionResponse>, with
	// a lower-case requestId, and errors under <Response><Errors>.
	ec2Query
)

const stsXMLNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// writeResult encodes an operation's output for the service's protocol.
func writeResult(w http.ResponseWriter, svc *service, op, requestID string, out any) {
	switch svc.protocol {
	case ec2Query:
		body, err := xml.Marshal(out)
		if err != nil {
			writeError(w, svc, requestID, serverError("InternalError", err.Error()))
			return
		}
		// The result struct's own element is dropped: EC2 puts its fields in the response element.
		inner := body[strings.IndexByte(string(body), '>')+1 : strings.LastIndexByte(string(body), '<')]
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><%sResponse xmlns="%s"><requestId>%s</requestId>%s</%sResponse>`,
			op, ec2XMLNamespace, requestID, inner, op)
	case awsQuery:
		body, err := xml.Marshal(out)
		if err != nil {
			writeError(w, svc, requestID, serverError("InternalFailure", err.Error()))
			return
		}
		namespace := svc.xmlNamespace
		if namespace == "" {
			namespace = stsXMLNamespace
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("x-amzn-RequestId", requestID)
		fmt.Fprintf(w, `<%sResponse xmlns="%s">%s<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`,
			op, namespace, body, requestID, op)
	default:
		buf := responseBuffers.Get().(*bytes.Buffer)
		defer putResponseBuffer(buf)
		if err := (jsonEncoder{lowerFirst: svc.camelMembers}).encodeValue(buf, reflect.ValueOf(out)); err != nil {
			writeError(w, svc, requestID, serverError("InternalFailure", err.Error()))
			return
		}
		if svc.protocol == restJSON {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		}
		w.Header().Set("x-amzn-RequestId", requestID)
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		w.Write(buf.Bytes())
	}
}

// responseBuffers hold JSON responses while they are written, so that each call does not grow a
// fresh buffer.
var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putResponseBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 1<<20 {
		return // a rare large answer: let it go rather than keep it for every call
	}
	buf.Reset()
	responseBuffers.Put(buf)
}

// writeError writes an AWS error in the service's protocol; without a known
// service (e.g. no Authorization header) it answers in JSON.
func writeError(w http.ResponseWriter, svc *service, requestID string, e *apiError) {
	w.Header().Set("x-amzn-RequestId", requestID)
	if svc != nil && svc.protocol == ec2Query {
		var body ec2Error
		body.Errors.Error.Code, body.Errors.Error.Message, body.RequestID = e.Code, e.Message, requestID
		out, _ := xml.Marshal(body)
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(e.Status)
		w.Write(out)
		return
	}
	if svc != nil && svc.protocol == awsQuery {
		kind := "Sender"
		if e.Receiver {
			kind = "Receiver"
		}
		var body struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Xmlns   string   `xml:"xmlns,attr"`
			Error   struct {
				Type    string
				Code    string
				Message string
			}
			RequestID string `xml:"RequestId"`
		}
		body.Xmlns = stsXMLNamespace
		body.Error.Type, body.Error.Code, body.Error.Message = kind, e.Code, e.Message
		body.RequestID = requestID
		out, _ := xml.Marshal(body)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.Status)
		w.Write(out)
		return
	}
	contentType := "application/x-amz-json-1.1"
	if svc != nil && svc.protocol == restJSON {
		contentType = "application/json"
		w.Header().Set("X-Amzn-ErrorType", e.Code)
	}
	out, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(e.Status)
	w.Write(out)
}
