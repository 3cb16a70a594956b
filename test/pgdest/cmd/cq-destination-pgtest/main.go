// Command cq-destination-pgtest serves the test-only pgtest destination plugin over gRPC for the CloudQuery CLI.
package main

import (
	"context"
	"log"

	"github.com/cloudquery/plugin-sdk/v4/serve"
	"github.com/kmsaudit/cq-source-awskms/test/pgdest"
)

func main() {
	if err := serve.Plugin(pgdest.Plugin()).Serve(context.Background()); err != nil {
		log.Fatal(err)
	}
}
