package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/saasplane/saasplane/internal/api/awsemuapi"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
)

// AWSEmulatorEndpoint is the --aws-endpoint value that means this
// server's own emulator.
const AWSEmulatorEndpoint = "emulator"

// awsMarketplaceClient builds saasplane's AWS Marketplace client from
// --aws-endpoint:
//   - "": AWS itself, as saasplane's own principal found by the standard
//     AWS chain (environment, shared config, instance or task role);
//   - "emulator": this server's own emulator, reached at self;
//   - a URL: a saasplane emulator served there.
//
// With an emulator, the base credentials are the emulator's (emu).
func awsMarketplaceClient(ctx context.Context, endpoint, self string, emu awsemuapi.Config) (*awsmp.Client, error) {
	cfg := awsmp.Config{HTTPClient: &http.Client{Timeout: 30 * time.Second}}
	if endpoint == "" {
		ac, err := config.LoadDefaultConfig(ctx, config.WithRegion(awsmp.DefaultRegion))
		if err != nil {
			return nil, fmt.Errorf("AWS credentials: %w", err)
		}
		cfg.Credentials = ac.Credentials
		return awsmp.New(cfg), nil
	}
	base := self
	if endpoint != AWSEmulatorEndpoint {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--aws-endpoint %q: want %q or an http(s) URL of a saasplane server", endpoint, AWSEmulatorEndpoint)
		}
		base = endpoint
	}
	base = strings.TrimRight(base, "/")
	cfg.MeteringEndpoint = base + "/aws/marketplace"
	cfg.EntitlementEndpoint = cfg.MeteringEndpoint
	cfg.STSEndpoint = base + "/aws/sts"
	cfg.Credentials = credentials.NewStaticCredentialsProvider(emu.AccessKeyID, emu.SecretAccessKey, "")
	return awsmp.New(cfg), nil
}

// selfURL is how this process reaches its own listener: a wildcard listen
// address is dialled on loopback.
func selfURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// awsSNSVerifier checks the notifications SNS posts: against AWS's own
// signing certificates (fetched only from SNS hosts over HTTPS), or with
// an emulator, against the emulator's certificate.
func awsSNSVerifier(endpoint, self string) *awsmp.SNSVerifier {
	hc := &http.Client{Timeout: 10 * time.Second}
	switch endpoint {
	case "":
		return &awsmp.SNSVerifier{HTTPClient: hc}
	case AWSEmulatorEndpoint:
		return &awsmp.SNSVerifier{HTTPClient: hc, TrustedURL: self + "/aws/sns/cert.pem"}
	}
	return &awsmp.SNSVerifier{HTTPClient: hc, TrustedURL: strings.TrimRight(endpoint, "/") + "/aws/sns/cert.pem"}
}
