// Package hostutil holds what this repository's language hosts share: serving the plugin protocol, binding a
// schema sent by `pulumi package gen-sdk`/`package add`, and writing generated files.
package hostutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"google.golang.org/grpc"

	hclsyntax "github.com/pulumi/pulumi/pkg/v3/codegen/hcl2/syntax"
	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// ProgramHost is what the hosts that run programs (Go, Python) share: the engine's address, from argv or from
// the Handshake the engine sends first, and the plugin's version. A host embeds it and adds its own calls.
type ProgramHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	EngineAddress string
}

// Handshake records the engine's address (engines that send it instead of passing it in argv).
func (h *ProgramHost) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() == "" {
		return nil, errors.New("handshake without an engine address")
	}
	h.EngineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo answers with the Pulumi SDK's version the host was built with.
func (h *ProgramHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// EngineAddress is the engine's address from a plugin's argv: the engine starts plugins as
// `<plugin> [flags...] <engine-address>` (flags such as --tracing are ignored); "" when it gave none.
func EngineAddress(args []string) string {
	address := ""
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			address = a
		}
	}
	return address
}

// Serve registers h as the LanguageRuntime service, prints the port on stdout (the plugin protocol's first line)
// and serves until the engine closes the connection. Exits the process on failure.
func Serve(h pulumirpc.LanguageRuntimeServer) {
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: could not start language host gRPC server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: language host stopped serving: %v\n", err)
		os.Exit(1)
	}
}

// BindSchema binds a GeneratePackageRequest's JSON schema, resolving references to other packages through the
// CLI's schema loader at loaderTarget. The caller closes the returned loader after code generation.
func BindSchema(schemaJSON, loaderTarget string) (*schema.Package, schema.ReferenceLoader, hcl.Diagnostics, func(), error) {
	client, err := schema.NewLoaderClient(loaderTarget)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	closeLoader := func() { _ = client.Close() }
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(schemaJSON), &spec); err != nil {
		closeLoader()
		return nil, nil, nil, nil, fmt.Errorf("the schema is not JSON: %w", err)
	}
	loader := schema.NewCachedLoader(client)
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		closeLoader()
		return nil, nil, nil, nil, err
	}
	return pkg, loader, diags, closeLoader, nil
}

// WriteFiles writes generated files (paths relative to dir), creating directories as needed.
func WriteFiles(dir string, files map[string][]byte) error {
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// GenerateProgram answers the engine's GenerateProgram (what `pulumi import` and `pulumi convert` ask for): it
// parses the request's PCL sources, binds them against the engine's schema loader with bindOptions, and writes
// the program with generate (a language's pkg/v3/codegen GenerateProgram). Diagnostics of the binding or the
// generation go back in the response; a parse error or a failed loader is the call's error.
func GenerateProgram(
	req *pulumirpc.GenerateProgramRequest,
	generate func(*pcl.Program) (map[string][]byte, hcl.Diagnostics, error),
	bindOptions ...pcl.BindOption,
) (*pulumirpc.GenerateProgramResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	parser := hclsyntax.NewParser()
	for name, contents := range req.GetSource() {
		if err := parser.ParseFile(strings.NewReader(contents), name); err != nil {
			return nil, err
		}
		if parser.Diagnostics.HasErrors() {
			return nil, parser.Diagnostics
		}
	}
	program, diags, err := pcl.BindProgram(parser.Files, schema.NewCachedLoader(loader), bindOptions...)
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() || program == nil {
		return &pulumirpc.GenerateProgramResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
	}
	files, genDiags, err := generate(program)
	if err != nil {
		return nil, err
	}
	diags = append(diags, genDiags...)
	return &pulumirpc.GenerateProgramResponse{Source: files, Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
}

// ConfigJSON is a RunRequest's stack config and its secret keys as the SDKs read them from PULUMI_CONFIG and
// PULUMI_CONFIG_SECRET_KEYS: a JSON object of `ns:key` → value, and a JSON array (never null).
func ConfigJSON(req *pulumirpc.RunRequest) (config, secretKeys []byte, err error) {
	if config, err = json.Marshal(req.GetConfig()); err != nil {
		return nil, nil, err
	}
	keys := req.GetConfigSecretKeys()
	if keys == nil {
		keys = []string{}
	}
	if secretKeys, err = json.Marshal(keys); err != nil {
		return nil, nil, err
	}
	return config, secretKeys, nil
}
