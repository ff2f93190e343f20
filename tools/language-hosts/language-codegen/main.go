// Command language-codegen answers `pulumi package gen-sdk --language nodejs|python` for this repository.
//
// The CLI generates an SDK by asking the language host of that language (pulumi-language-<language>) for
// GeneratePackage. The official Node.js and Python hosts are Go modules the module proxy available to this project
// refuses to serve, and the Node.js host next to the pinned CLI (tools/pulumi-cli/language-nodejs) runs programs
// only. The code generators themselves are in github.com/pulumi/pulumi/pkg/v3 at the CLI's pinned version, so this
// binary serves just GeneratePackage with them. It is installed as pulumi-language-nodejs and pulumi-language-python
// in a directory of its own (scripts/language-hosts.sh prints it with --codegen), which only SDK generation puts
// first on PATH: it cannot run a program, and says so.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-seam-acs/tools/language-hosts/internal/hostutil"
)

type codegenHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	language string // "nodejs" or "python", from the name this binary was started under
}

func main() {
	name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	language := strings.TrimPrefix(name, "pulumi-language-")
	if language != "nodejs" && language != "python" {
		fmt.Fprintf(os.Stderr, "language-codegen: start me as pulumi-language-nodejs or pulumi-language-python, not %s\n", name)
		os.Exit(2)
	}
	hostutil.Serve(&codegenHost{language: language})
}

func (h *codegenHost) Handshake(context.Context, *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *codegenHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *codegenHost) Run(context.Context, *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return nil, status.Errorf(codes.Unimplemented,
		"this pulumi-language-%s only generates SDKs (pulumi-seam-acs's language-codegen); it cannot run programs", h.language)
}

// GeneratePackage writes the SDK of a schema for h.language into req.Directory.
func (h *codegenHost) GeneratePackage(_ context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	pkg, loader, diags, closeLoader, err := hostutil.BindSchema(req.GetSchema(), req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer closeLoader()
	rpcDiags := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
	}
	tool := "pulumi-language-" + h.language
	var files map[string][]byte
	switch h.language {
	case "nodejs":
		files, err = nodejsgen.GeneratePackage(tool, pkg, req.GetExtraFiles(), req.GetLocalDependencies(), req.GetLocal(), loader)
	case "python":
		files, err = pythongen.GeneratePackage(tool, pkg, req.GetExtraFiles(), loader)
	}
	if err != nil {
		return nil, err
	}
	if err := hostutil.WriteFiles(req.GetDirectory(), files); err != nil {
		return nil, err
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
}
