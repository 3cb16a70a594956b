package plugin

import (
	"encoding/json"

	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/invopop/jsonschema"
	"github.com/kmsaudit/cq-source-awskms/client"
)

// Name is the plugin's name in CloudQuery configurations.
const Name = "awskms"

// Version is set at build time with -ldflags "-X .../resources/plugin.Version=v1.2.3".
var Version = "development"

func Plugin() *plugin.Plugin {
	return plugin.NewPlugin(Name, Version, Configure,
		plugin.WithKind("source"),
		plugin.WithTeam("kmsaudit"),
		plugin.WithJSONSchema(SpecJSONSchema()),
	)
}

// SpecJSONSchema is the JSON schema of the spec, published with the plugin.
func SpecJSONSchema() string {
	r := jsonschema.Reflector{DoNotReference: true, RequiredFromJSONSchemaTags: true}
	s := r.Reflect(&client.Spec{})
	s.Title = "awskms source plugin spec"
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}
