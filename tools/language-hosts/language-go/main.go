// Command pulumi-language-go is a minimal Go language host for the Pulumi engine.
//
// Why this exists: the official host is its own Go module (github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3),
// which the module proxy available to this project refuses to serve. Everything a host does for a Go program is
// small once the SDK and the code generator are at hand, and both are served (github.com/pulumi/pulumi/sdk/v3 and
// pkg/v3 at the CLI's pinned version), so this host does it with them:
//   - Run: `go build` the program in its directory (GOCACHE makes later builds quick), then run the binary with
//     the engine's RunRequest in the PULUMI_* environment variables the Go SDK's pulumi.Run reads;
//   - GeneratePackage and Link: what `pulumi package gen-sdk --language go` and `pulumi package add` call: the Go
//     SDK from pkg/v3/codegen/go, then a `replace` of its module by the local directory in the program's go.mod;
//   - GenerateProgram: the Go code `pulumi import` prints, from pkg/v3/codegen/go;
//   - InstallDependencies: `go mod tidy`, as the official host.
//
// Not done, on purpose: debugging under Delve, the `binary`/`buildTarget` runtime options, Pack, and
// GetRequiredPackages (plugin discovery from the program's go.mod): the engine still loads a provider the program
// uses when its first resource registers, which is all this repository's tests need.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/sdk/v3/go/common/constant"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-seam-acs/tools/language-hosts/internal/hostutil"
)

type host struct {
	hostutil.ProgramHost
}

func main() {
	hostutil.Serve(&host{hostutil.ProgramHost{EngineAddress: hostutil.EngineAddress(os.Args[1:])}})
}

// GetRequiredPlugins is the legacy form of GetRequiredPackages; neither discovers plugins here (see the file comment).
func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// Run builds the program with `go build` and runs it with the engine's request in its environment.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if h.EngineAddress == "" {
		return nil, errors.New("Run before the engine's address is known (no argument and no Handshake)")
	}
	bin, err := os.CreateTemp("", "pulumi-go-program-*")
	if err != nil {
		return nil, err
	}
	_ = bin.Close()
	defer os.Remove(bin.Name())

	build := exec.CommandContext(ctx, "go", "build", "-o", bin.Name(), ".")
	build.Dir = req.GetInfo().GetProgramDirectory()
	var buildOut strings.Builder
	build.Stdout, build.Stderr = &buildOut, &buildOut
	if err := build.Run(); err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("go build in %s failed: %v\n%s", build.Dir, err, buildOut.String())}, nil
	}

	env, err := h.programEnv(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin.Name())
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == constant.ExitStatusLoggedError:
		// The SDK already sent the error to the engine; Bail keeps the engine from printing a second one.
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", exit.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
}

// programEnv is the host's environment plus the RunRequest in the variables pulumi.Run reads (sdk/go/pulumi/run.go).
func (h *host) programEnv(req *pulumirpc.RunRequest) ([]string, error) {
	config, secretKeysJSON, err := hostutil.ConfigJSON(req)
	if err != nil {
		return nil, err
	}
	env := os.Environ()
	set := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	set(pulumi.EnvOrganization, req.GetOrganization())
	set(pulumi.EnvProject, req.GetProject())
	set(pulumi.EnvStack, req.GetStack())
	set(pulumi.EnvPulumiRootDirectory, req.GetInfo().GetRootDirectory())
	set(pulumi.EnvConfig, string(config))
	set(pulumi.EnvConfigSecretKeys, string(secretKeysJSON))
	set(pulumi.EnvDryRun, strconv.FormatBool(req.GetDryRun()))
	set(pulumi.EnvParallel, strconv.Itoa(int(req.GetParallel())))
	set(pulumi.EnvMonitor, req.GetMonitorAddress())
	set(pulumi.EnvEngine, h.EngineAddress)
	return env, nil
}

// InstallDependencies runs `go mod tidy` in the program's directory, as the official host does.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = req.GetInfo().GetProgramDirectory()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("`go mod tidy` failed to install dependencies: %w", err)
	}
	return closer.Close()
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(gobin, "version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: gobin, Version: strings.TrimSpace(string(out))}, nil
}

// GetProgramDependencies lists the program's go.mod requirements (indirect ones only when asked).
func (h *host) GetProgramDependencies(_ context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	mod, _, err := readGoMod(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	var deps []*pulumirpc.DependencyInfo
	for _, r := range mod.Require {
		if !r.Indirect || req.GetTransitiveDependencies() {
			deps = append(deps, &pulumirpc.DependencyInfo{Name: r.Mod.Path, Version: r.Mod.Version})
		}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// GeneratePackage writes the Go SDK of a schema into req.Directory.
func (h *host) GeneratePackage(_ context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	if len(req.GetExtraFiles()) > 0 {
		return nil, status.Error(codes.InvalidArgument, "overlays are not supported for Go")
	}
	pkg, _, diags, closeLoader, err := hostutil.BindSchema(req.GetSchema(), req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer closeLoader()
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
	}
	files, err := gogen.GeneratePackage("pulumi-language-go", pkg, req.GetLocalDependencies())
	if err != nil {
		return nil, err
	}
	if err := hostutil.WriteFiles(req.GetDirectory(), files); err != nil {
		return nil, err
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
}

// Link makes a program use generated SDKs from local directories: for each, a `replace` of the SDK's module by its
// directory and a `require` of it in the program's go.mod. `pulumi package add` calls it after GeneratePackage.
func (h *host) Link(_ context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	programDir := req.GetInfo().GetProgramDirectory()
	mod, modPath, err := readGoMod(programDir)
	if err != nil {
		return nil, err
	}
	var imports []string
	for _, dep := range req.GetPackages() {
		sdkDir := dep.GetPath()
		if !filepath.IsAbs(sdkDir) {
			sdkDir = filepath.Join(req.GetInfo().GetRootDirectory(), sdkDir)
		}
		sdkModule, sdkRoot, err := findSdkModule(sdkDir)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(filepath.Dir(modPath), sdkRoot)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(rel, ".") {
			rel = "./" + rel // a replace target without ./ would be read as a module path
		}
		if err := mod.AddReplace(sdkModule, "", filepath.ToSlash(rel), ""); err != nil {
			return nil, err
		}
		// Any version works under a directory replace; v0.0.0 says that it is not a published one.
		if err := mod.AddRequire(sdkModule, "v0.0.0"); err != nil {
			return nil, err
		}
		imports = append(imports, fmt.Sprintf("  %s (package %s)", sdkModule, dep.GetPackage().GetName()))
	}
	mod.Cleanup()
	out, err := mod.Format()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(modPath, out, 0o644); err != nil {
		return nil, err
	}
	return &pulumirpc.LinkResponse{
		ImportInstructions: "Import the SDK in your Go program from:\n" + strings.Join(imports, "\n"),
	}, nil
}

// GenerateProgram turns PCL (what `pulumi import` and `pulumi convert` produce) into Go source.
func (h *host) GenerateProgram(_ context.Context, req *pulumirpc.GenerateProgramRequest) (*pulumirpc.GenerateProgramResponse, error) {
	return hostutil.GenerateProgram(req, gogen.GenerateProgram)
}

// readGoMod parses dir/go.mod and returns it with its path.
func readGoMod(dir string) (*modfile.File, string, error) {
	path := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("the Go program needs a go.mod in %s: %w", dir, err)
	}
	mod, err := modfile.Parse(path, data, nil)
	if err != nil {
		return nil, "", err
	}
	return mod, path, nil
}

// findSdkModule finds the go.mod of a generated SDK: in dir itself, or in the one subdirectory the generator
// writes the package into (dir/<package>/go.mod). Returns the module path and its directory.
func findSdkModule(dir string) (string, string, error) {
	candidates := []string{filepath.Join(dir, "go.mod")}
	if nested, err := filepath.Glob(filepath.Join(dir, "*", "go.mod")); err == nil {
		candidates = append(candidates, nested...)
	}
	for _, c := range candidates {
		data, err := os.ReadFile(c)
		if err != nil {
			continue
		}
		if path := modfile.ModulePath(data); path != "" {
			return path, filepath.Dir(c), nil
		}
	}
	return "", "", fmt.Errorf("no go.mod in the generated SDK at %s", dir)
}
