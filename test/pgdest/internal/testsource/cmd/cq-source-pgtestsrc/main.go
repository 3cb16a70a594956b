// Command cq-source-pgtestsrc serves the test-only source plugin used to drive the pgtest destination through the CLI.
package main

import (
	"context"
	"log"

	"github.com/cloudquery/plugin-sdk/v4/serve"
	"github.com/kmsaudit/cq-source-awskms/test/pgdest/internal/testsource"
)

func main() {
	if err := serve.Plugin(testsource.Plugin()).Serve(context.Background()); err != nil {
		log.Fatal(err)
	}
}
