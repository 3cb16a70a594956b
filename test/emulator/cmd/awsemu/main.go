// Command awsemu serves the test AWS emulator as a process, for tools that
// cannot embed it (the CloudQuery CLI, shell scripts):
//
//	awsemu [-addr 127.0.0.1:4566] [-config world.json] [-seed N] [-hot-key-grants N] ...
//
// It prints the endpoint and the management account's credentials as shell
// exports, then serves until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "awsemu:", err)
		}
		os.Exit(2)
	}
}

// run parses the flags, starts the emulator and serves until ctx ends.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, addr, err := parseFlags(args)
	if err != nil {
		return err
	}
	srv := emulator.NewServer(emulator.NewWorld(cfg))
	url, err := srv.StartOn(addr)
	if err != nil {
		return err
	}
	defer srv.Close()
	akid, secret := emulator.AccessKeyFor(cfg.ManagementAccount)
	fmt.Fprintf(stdout, "export AWS_ENDPOINT_URL=%s\n", url)
	fmt.Fprintf(stdout, "export AWS_ACCESS_KEY_ID=%s\n", akid)
	fmt.Fprintf(stdout, "export AWS_SECRET_ACCESS_KEY=%s\n", secret)
	fmt.Fprintf(stdout, "export AWS_REGION=%s\n", cfg.Regions[0])
	fmt.Fprintf(stdout, "# management account %s; admin endpoints under %s/_emu/\n", cfg.ManagementAccount, url)
	<-ctx.Done()
	return nil
}

// parseFlags reads -config (on top of the defaults), then lets the flags
// given on the command line override single knobs.
func parseFlags(args []string) (emulator.Config, string, error) {
	fs := flag.NewFlagSet("awsemu", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4566", "listen address")
	configPath := fs.String("config", "", "JSON config file (fields left out keep their defaults)")
	seed := fs.Int64("seed", 0, "seed of the generated data")
	regions := fs.String("regions", "", "comma-separated enabled regions")
	members := fs.Int("member-accounts", 0, "number of generated member accounts (replaces the default member list)")
	keys := fs.Int("keys-per-region", 0, "plain customer keys per region, besides the catalogue")
	hot := fs.Int("hot-key-grants", 0, "grants on alias/hot-key")
	retired := fs.Int("retired-grants-per-region", 0, "grants created and retired inside CloudTrail's window in every account-region (a busy trail)")
	scenario := fs.Bool("scenario", true, "generate the named grant scenario")
	accessScenario := fs.Bool("access-scenario", false, "generate the access scenario (IAM, SCP, RCP, cross-account keys)")
	quotaScale := fs.Float64("quota-scale", 0, "enable AWS request quotas, scaled (0.1 = ten times lower)")
	errorRate := fs.Float64("internal-error-rate", 0, "fraction of calls answered with a 500 error")
	if err := fs.Parse(args); err != nil {
		return emulator.Config{}, "", err
	}
	cfg := emulator.DefaultConfig()
	if *configPath != "" {
		loaded, err := emulator.LoadConfig(*configPath)
		if err != nil {
			return emulator.Config{}, "", err
		}
		cfg = loaded
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "seed":
			cfg.Seed = *seed
		case "regions":
			cfg.Regions = strings.Split(*regions, ",")
		case "member-accounts":
			cfg.MemberAccountIDs, cfg.MemberAccounts = nil, *members
		case "keys-per-region":
			cfg.KeysPerRegion = *keys
		case "hot-key-grants":
			cfg.HotKeyGrants = *hot
		case "retired-grants-per-region":
			cfg.RetiredGrantsPerRegion = *retired
		case "scenario":
			cfg.Scenario = *scenario
		case "access-scenario":
			cfg.AccessScenario = *accessScenario
		case "quota-scale":
			cfg.Server.Quotas.Enabled, cfg.Server.Quotas.Scale = true, *quotaScale
		case "internal-error-rate":
			cfg.Server.Faults.InternalErrorRate = *errorRate
		}
	})
	return cfg, *addr, cfg.Validate()
}
