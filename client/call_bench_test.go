package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// describeKeyAnswer is AWS's documented DescribeKey example response (API reference, DescribeKey,
// Example 1), the shape of most of the inventory's calls.
const describeKeyAnswer = `{"KeyMetadata":{"AWSAccountId":"111122223333","Arn":"arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","CreationDate":1.499288695918E9,"CustomerMasterKeySpec":"SYMMETRIC_DEFAULT","Description":"","Enabled":true,"EncryptionAlgorithms":["SYMMETRIC_DEFAULT"],"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","KeyManager":"CUSTOMER","KeySpec":"SYMMETRIC_DEFAULT","KeyState":"Enabled","KeyUsage":"ENCRYPT_DECRYPT","MultiRegion":false,"Origin":"AWS_KMS"}}`

// BenchmarkKMSCall measures the plugin's side of one AWS call as the plugin makes it (the sync's
// HTTP client, retryer, attempt hook and credentials), against a local server that answers at
// once: the CPU and allocations per call that the SDK and the plugin's middleware cost.
func BenchmarkKMSCall(b *testing.B) {
	svc := servicesAgainst(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", "4b0e6bd4-0b5e-4f4b-9c1c-2a4a5b0c8d3e")
		_, _ = w.Write([]byte(describeKeyAnswer))
	}, unpaced{})
	in := &kms.DescribeKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.KMS.DescribeKey(context.Background(), in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// servicesAgainst returns one pair's AWS clients made as the plugin makes them (the sync's HTTP
// client, retryer and attempt hook with pacer, credentials from the environment), calling a local
// server that answers with handler in AWS's JSON protocol.
func servicesAgainst(tb testing.TB, handler http.HandlerFunc, pacer Pacer) *Services {
	tb.Helper()
	return servicesWithBudget(tb, handler, pacer, nil)
}

// servicesWithBudget is servicesAgainst with the calls in flight bounded by budget (the
// process's own when nil).
func servicesWithBudget(tb testing.TB, handler http.HandlerFunc, pacer Pacer, budget *callBudget) *Services {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		handler(w, r)
	}))
	tb.Cleanup(srv.Close)
	return servicesAt(tb, srv.URL, pacer, budget)
}

// servicesAt returns one pair's AWS clients made as the plugin makes them, calling url.
func servicesAt(tb testing.TB, url string, pacer Pacer, budget *callBudget) *Services {
	tb.Helper()
	tb.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	tb.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	tb.Setenv("AWS_CONFIG_FILE", "/dev/null")
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	spec, err := ParseSpec([]byte(`{"regions":["us-east-2"],"custom_endpoint_url":"` + url + `"}`))
	if err != nil {
		tb.Fatal(err)
	}
	f := newConfigFactory(spec, pacer, &CallStats{})
	if budget != nil {
		f.budget = budget
	}
	cfg, err := f.base(context.Background(), "", "us-east-2")
	if err != nil {
		tb.Fatal(err)
	}
	return newServices(f.paced(cfg, newAccountLabel("111122223333")), "us-east-2")
}
