package client

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/kmsaudit/cq-source-awskms/internal/cputime"
)

// answerServerEnv makes the test binary the other side of BenchmarkCallCPU: an HTTP server, in a
// process of its own so that the benchmark's CPU is the client's alone, answering every request
// with AWS's documented DescribeKey example after answerDelay.
const answerServerEnv = "AWSKMS_TEST_ANSWER_SERVER"

// answerDelay stands for AWS's latency, so that calls are in flight together as in a sync.
const answerDelay = 5 * time.Millisecond

func TestMain(m *testing.M) {
	if os.Getenv(answerServerEnv) != "" {
		if err := serveAnswers(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// serveAnswers prints its URL and serves until its stdin closes.
func serveAnswers() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println("http://" + l.Addr().String())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	return http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(answerDelay)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("x-amzn-RequestId", "4b0e6bd4-0b5e-4f4b-9c1c-2a4a5b0c8d3e")
		_, _ = w.Write([]byte(describeKeyAnswer))
	}))
}

func startAnswerServer(tb testing.TB) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), answerServerEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("answer server: %v", err)
	}
	return strings.TrimSpace(url)
}

// BenchmarkCallCPU measures a client's CPU per call (cpu-us/call: the process's CPU time over the
// calls), 64 calls in flight, against a server in another process that answers each after 5 ms:
// net/http posting a DescribeKey request (what any Go client pays), aws-sdk-go-v2's KMS client as
// it comes, and the plugin's (its HTTP client, retryer and attempt hook, unpaced). On a machine
// whose cores the plugin shares with the CLI, the destination and an emulator, the SDK's own
// cost per call bounds how fast a sync of many small account-regions can be.
//
//	go test -run '^$' -bench CallCPU -benchtime 20000x ./client
func BenchmarkCallCPU(b *testing.B) {
	url := startAnswerServer(b)
	body := `{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}`
	ctx := context.Background()
	b.Run("net-http", func(b *testing.B) {
		hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 4 * idleConnsPerHost, MaxIdleConnsPerHost: idleConnsPerHost}}
		measureCallCPU(b, func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "TrentService.DescribeKey")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			return resp.Body.Close()
		})
	})
	in := &kms.DescribeKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")}
	b.Run("aws-sdk-go-v2", func(b *testing.B) {
		api := kms.New(kms.Options{
			Region:       "us-east-2",
			BaseEndpoint: aws.String(url),
			Credentials:  credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
			HTTPClient:   &http.Client{Transport: &http.Transport{MaxIdleConns: 4 * idleConnsPerHost, MaxIdleConnsPerHost: idleConnsPerHost}},
		})
		measureCallCPU(b, func() error {
			_, err := api.DescribeKey(ctx, in)
			return err
		})
	})
	b.Run("plugin", func(b *testing.B) {
		svc := servicesAt(b, url, unpaced{}, nil)
		measureCallCPU(b, func() error {
			_, err := svc.KMS.DescribeKey(ctx, in)
			return err
		})
	})
}

// measureCallCPU makes b.N calls, 64 at a time, after a warm-up, and reports the process's CPU
// time per call.
func measureCallCPU(b *testing.B, call func() error) {
	const inFlight = 64
	run := func(n int64) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range inFlight {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= n {
					if err := call(); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	run(2 * inFlight)
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Process()
	run(int64(b.N))
	cpu := cputime.Process() - start
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/call")
}
