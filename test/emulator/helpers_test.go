package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// testConfig is the default World with a smaller hot key, fixed in time so
// failures reproduce.
func testConfig() emulator.Config {
	cfg := emulator.DefaultConfig()
	cfg.Now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	cfg.HotKeyGrants = 1200
	return cfg
}

// startEmulator serves a World built from cfg for the duration of the test.
func startEmulator(t *testing.T, cfg emulator.Config, opts ...emulator.Option) (*emulator.World, string) {
	t.Helper()
	w := emulator.NewWorld(cfg)
	srv, url := serve(t, w, opts...)
	_ = srv
	return w, url
}

func serve(t *testing.T, w *emulator.World, opts ...emulator.Option) (*emulator.Server, string) {
	t.Helper()
	srv := emulator.NewServer(w, opts...)
	url, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, url
}

// clientConfig is what a plugin would build: static credentials of the
// account, the region, and the emulator as endpoint of every service.
func clientConfig(url, account, region string) aws.Config {
	akid, secret := emulator.AccessKeyFor(account)
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(akid, secret, ""),
		BaseEndpoint: aws.String(url),
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
		Retryer:      func() aws.Retryer { return retry.NewStandard() },
	}
}

// noRetries makes the first error the one the test sees.
func noRetries(cfg aws.Config) aws.Config {
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	return cfg
}
