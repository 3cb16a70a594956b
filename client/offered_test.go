package client

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCloudHSMV2Offered: by the AWS General Reference ("AWS CloudHSM endpoints and quotas"),
// CloudHSMv2 is in us-east-1, eu-west-1 and us-gov-west-1 but not in ap-southeast-4 (Melbourne);
// aws-cn is not in the SDK's table, so it is tried.
func TestCloudHSMV2Offered(t *testing.T) {
	for region, want := range map[string]bool{
		"us-east-1": true, "eu-west-1": true, "ap-east-1": true, "us-gov-west-1": true,
		"ap-southeast-4": false, "us-gov-central-1": false, "cn-north-1": true,
	} {
		if got := CloudHSMV2Offered(region); got != want {
			t.Errorf("CloudHSMV2Offered(%q) = %v, want %v", region, got, want)
		}
	}
}

// TestCloudHSMV2RegionsMatchTheSDK compares the table with the endpoint table of the cloudhsmv2
// module this build uses, read from the module cache: a newer SDK that adds a region fails it.
func TestCloudHSMV2RegionsMatchTheSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2").Output()
	dir, version, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if err != nil || dir == "" {
		t.Skipf("the cloudhsmv2 module is not in the module cache (%v)", err)
	}
	src, err := os.ReadFile(dir + "/internal/endpoints/endpoints.go")
	if err != nil {
		t.Skipf("SDK source not in the module cache: %v", err)
	}
	partition := regexp.MustCompile(`^\s+ID: "([a-z-]+)",$`)
	region := regexp.MustCompile(`^\s+Region: "([a-z0-9-]+)",$`) // one space: the default variant
	sdk := map[string][]string{}
	current := ""
	for _, line := range strings.Split(string(src), "\n") {
		if m := partition.FindStringSubmatch(line); m != nil {
			current = m[1]
		} else if m := region.FindStringSubmatch(line); m != nil && !slices.Contains(sdk[current], m[1]) {
			sdk[current] = append(sdk[current], m[1])
		}
	}
	if len(sdk["aws"]) == 0 {
		t.Fatal("read no region from the SDK's endpoint table: has its layout changed?")
	}
	for p, regions := range sdk {
		slices.Sort(regions)
		if !slices.Equal(regions, cloudHSMV2Regions[p]) {
			t.Errorf("partition %s: the SDK (cloudhsmv2 %s) lists %v, the table %v", p, version, regions, cloudHSMV2Regions[p])
		}
	}
	for p := range cloudHSMV2Regions {
		if _, ok := sdk[p]; !ok {
			t.Errorf("partition %s is in the table but has no region in the SDK", p)
		}
	}
}
