// Package emulator is an in-process AWS for tests: it serves the real wire
// protocols of KMS, CloudHSMv2, CloudTrail, STS, Organizations, Account and EC2 (DescribeRegions) to
// the real aws-sdk-go-v2 clients, from one HTTP endpoint.
//
// The data is a World, generated deterministically from a Config (seed,
// accounts, regions, keys, grants, ...) and stored as aws-sdk-go-v2 types, so a
// test can compare what a client read against exactly what the emulator holds.
// A Server serves one World; clients point at it with BaseEndpoint and static
// credentials from AccessKeyFor.
//
// The emulator knows nothing about the code under test.
package emulator
