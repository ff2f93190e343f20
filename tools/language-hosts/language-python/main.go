// Command pulumi-language-python is a small Python language host of pulumi-seam-acs's own.
//
// Why this exists: the official host is its own Go module (github.com/pulumi/pulumi/sdk/python/cmd/
// pulumi-language-python/v3), which the module proxy available to this project refuses to serve, and the script it
// runs programs with ships in the CLI archive, not in the `pulumi` wheel. What a host does for a Python program is
// small with the pieces that are served: the virtualenv and pip handling of github.com/pulumi/pulumi/sdk/v3/python/
// toolchain (what the official host uses), the Python code generator of pkg/v3/codegen/python, and a runner script
// of our own (exec.py, embedded):
//   - InstallDependencies (`pulumi install`, `pulumi new`): creates the project's virtualenv and pip-installs its
//     requirements.txt, exactly as the official host does (the toolchain package's pip support);
//   - Run: the virtualenv's Python runs exec.py, which fills pulumi.runtime.Settings from the engine's request
//     and runs the program in pulumi.runtime.run_in_stack; exit status 32 means the error is already reported;
//   - GetRequiredPackages: the packages in the virtualenv that carry a pulumi-plugin.json, so the engine installs
//     their plugins (from the `server` they name) before the program starts;
//   - GenerateProgram: the Python code `pulumi import` prints; GeneratePackage and Link: `pulumi package add`.
//
// A project as `pulumi new python` makes it: `runtime: {name: python, options: {toolchain: pip, virtualenv:
// venv}}`, requirements.txt, __main__.py. Not done, on purpose: the poetry and uv toolchains (refused with a clear
// error), typecheckers, debugging, Python plugins (RunPlugin), Pack and the template prompts.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/sdk/v3/go/common/constant"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"

	"pulumi-seam-acs/tools/language-hosts/internal/hostutil"
)

//go:embed exec.py
var execScript []byte

type host struct {
	hostutil.ProgramHost
}

func main() {
	hostutil.Serve(&host{hostutil.ProgramHost{EngineAddress: hostutil.EngineAddress(os.Args[1:])}})
}

// pythonToolchain resolves the project's Python environment from its runtime options (virtualenv, toolchain),
// relative to its root directory as the official host does. Only pip (the default) is supported.
func pythonToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory(), Toolchain: toolchain.Pip}
	options := info.GetOptions().AsMap()
	if v, ok := options["virtualenv"]; ok {
		s, isString := v.(string)
		if !isString {
			return nil, opts, errors.New("the runtime option `virtualenv` must be a string (a directory, e.g. venv)")
		}
		opts.Virtualenv = s
	}
	if v, ok := options["toolchain"]; ok && v != "pip" {
		return nil, opts, fmt.Errorf("the runtime option `toolchain: %v` is not supported by this pulumi-language-python "+
			"(pulumi-seam-acs's own host): use `toolchain: pip`, or the official Pulumi install's host", v)
	}
	if v, ok := options["typechecker"]; ok {
		return nil, opts, fmt.Errorf("the runtime option `typechecker: %v` is not supported by this pulumi-language-python "+
			"(pulumi-seam-acs's own host)", v)
	}
	tc, err := toolchain.ResolveToolchain(opts)
	return tc, opts, err
}

// InstallDependencies creates the project's virtualenv (when the runtime options name one) and pip-installs
// requirements.txt into it, with pip, setuptools and wheel upgraded first: the toolchain package's pip support,
// the same steps as the official host.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	tc, _, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	fmt.Fprintf(stdout, "Installing dependencies...\n\n")
	if err := tc.InstallDependencies(server.Context(), req.GetInfo().GetProgramDirectory(), false, true, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

// Run runs the program with the virtualenv's Python (or python3 on PATH without one) through exec.py.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if h.EngineAddress == "" {
		return nil, errors.New("Run before the engine's address is known (no argument and no Handshake)")
	}
	tc, _, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	// A missing virtualenv is the user's to create: say how, as the official host does.
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	script, cleanup, err := writeExecScript()
	if err != nil {
		return nil, err
	}
	defer cleanup()

	config, secretKeysJSON, err := hostutil.ConfigJSON(req)
	if err != nil {
		return nil, err
	}

	args := []string{"-u", script}
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.EngineAddress)
	flag("project", req.GetProject())
	flag("root_directory", req.GetInfo().GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", req.GetPwd())
	flag("dry_run", strconv.FormatBool(req.GetDryRun()))
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	flag("organization", req.GetOrganization())
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, filepath.Join(req.GetInfo().GetProgramDirectory(), entry))
	args = append(args, req.GetArgs()...)

	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	cmd.Dir = req.GetPwd()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// On cancellation, interrupt first so the SDK can finish what it sent; kill after a grace period.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second

	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == constant.ExitStatusLoggedError:
		// exec.py reported the error to the engine already; Bail keeps the engine from printing a second one.
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", exit.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the Python program: %v", err)}, nil
	}
}

// writeExecScript writes exec.py into a fresh temporary directory; cleanup removes it.
func writeExecScript() (string, func(), error) {
	dir, err := os.MkdirTemp("", "pulumi-language-python-")
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(dir, "pulumi-language-python-exec.py")
	if err := os.WriteFile(path, execScript, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, err
	}
	return path, func() { _ = os.RemoveAll(dir) }, nil
}

// pluginPackagesScript prints, as JSON, every installed distribution whose top-level package carries a
// pulumi-plugin.json (what generated Pulumi SDKs ship): [{"package": ..., "version": ..., "plugin": {...}}].
const pluginPackagesScript = `import importlib.metadata as m, importlib.util as u, json, os
out = []
for d in m.distributions():
    name = (d.metadata["Name"] or "").replace("-", "_")
    try:
        spec = u.find_spec(name)
    except Exception:
        spec = None
    for loc in (list(spec.submodule_search_locations or []) if spec else []):
        p = os.path.join(loc, "pulumi-plugin.json")
        if os.path.isfile(p):
            with open(p) as f:
                out.append({"package": d.metadata["Name"], "version": d.version, "plugin": json.load(f)})
            break
print(json.dumps(out))
`

// GetRequiredPackages lists the resource plugins of the Pulumi packages installed in the program's environment
// (from their pulumi-plugin.json: name, version, download server), so that the engine installs them before the
// program runs. A program without its virtualenv yet gets it created first, as the official host does.
func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	tc, _, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	if err := tc.EnsureVenv(ctx, req.GetInfo().GetProgramDirectory(), false, true, os.Stdout, os.Stderr); err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, "-c", pluginPackagesScript)
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the Pulumi packages of the Python environment: %w: %s", err, stderr.String())
	}
	var found []struct {
		Package string                  `json:"package"`
		Version string                  `json:"version"`
		Plugin  plugin.PulumiPluginJSON `json:"plugin"`
	}
	if err := json.Unmarshal(out, &found); err != nil {
		return nil, fmt.Errorf("reading the Pulumi packages of the Python environment: %w", err)
	}
	var packages []*pulumirpc.PackageDependency
	for _, f := range found {
		if !f.Plugin.Resource {
			continue // e.g. `pulumi` itself: no plugin of its own
		}
		name := f.Plugin.Name
		if name == "" {
			name = strings.TrimPrefix(strings.ReplaceAll(f.Package, "_", "-"), "pulumi-")
		}
		v := f.Plugin.Version
		if v == "" {
			v = f.Version
		}
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		dep := &pulumirpc.PackageDependency{Name: name, Version: v, Kind: "resource", Server: f.Plugin.Server}
		if p := f.Plugin.Parameterization; p != nil {
			dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
		}
		packages = append(packages, dep)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// GetRequiredPlugins is the legacy form of GetRequiredPackages, which the engine prefers.
func (h *host) GetRequiredPlugins(ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	res, err := h.GetRequiredPackages(ctx, &pulumirpc.GetRequiredPackagesRequest{Info: req.GetInfo()})
	if err != nil {
		return nil, err
	}
	var plugins []*pulumirpc.PluginDependency
	for _, p := range res.GetPackages() {
		plugins = append(plugins, &pulumirpc.PluginDependency{Name: p.GetName(), Version: p.GetVersion(), Kind: p.GetKind(), Server: p.GetServer()})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// GetProgramDependencies lists the packages of the program's environment (`pip list`).
func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, _, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	deps, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	res := &pulumirpc.GetProgramDependenciesResponse{}
	for _, d := range deps {
		res.Dependencies = append(res.Dependencies, &pulumirpc.DependencyInfo{Name: d.Name, Version: d.Version})
	}
	return res, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, _, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: info.PythonExecutable, Version: info.PythonVersion.String()}, nil
}

// GeneratePackage writes the Python SDK of a schema into req.Directory (pkg/v3/codegen/python).
func (h *host) GeneratePackage(_ context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	pkg, loader, diags, closeLoader, err := hostutil.BindSchema(req.GetSchema(), req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer closeLoader()
	rpcDiags := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
	}
	files, err := pythongen.GeneratePackage("pulumi-language-python", pkg, req.GetExtraFiles(), loader)
	if err != nil {
		return nil, err
	}
	if err := hostutil.WriteFiles(req.GetDirectory(), files); err != nil {
		return nil, err
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
}

var pyprojectName = regexp.MustCompile(`(?m)^\s*name\s*=\s*"([^"]+)"`)

// Link makes a program use generated SDKs from local directories, as `pulumi package add` asks after
// GeneratePackage: each SDK's directory goes into requirements.txt (replacing an entry of the same package); the
// CLI then asks for InstallDependencies, which pip-installs it into the virtualenv.
func (h *host) Link(_ context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	tc, _, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	packages := map[string]string{}
	var imports []string
	for _, dep := range req.GetPackages() {
		sdkDir := dep.GetPath()
		if !filepath.IsAbs(sdkDir) {
			sdkDir = filepath.Join(req.GetInfo().GetRootDirectory(), sdkDir)
		}
		data, err := os.ReadFile(filepath.Join(sdkDir, "pyproject.toml"))
		if err != nil {
			return nil, fmt.Errorf("the generated Python SDK at %s has no pyproject.toml: %w", sdkDir, err)
		}
		m := pyprojectName.FindSubmatch(data)
		if m == nil {
			return nil, fmt.Errorf("no project name in %s", filepath.Join(sdkDir, "pyproject.toml"))
		}
		name := strings.ReplaceAll(string(m[1]), "-", "_")
		packages[name] = dep.GetPath()
		imports = append(imports, fmt.Sprintf("  import %s", name))
	}
	if err := tc.LinkPackages(context.Background(), packages); err != nil {
		return nil, fmt.Errorf("adding the SDK to requirements.txt: %w", err)
	}
	return &pulumirpc.LinkResponse{
		ImportInstructions: "Import the SDK in your Python program:\n" + strings.Join(imports, "\n"),
	}, nil
}

// GenerateProgram turns PCL (what `pulumi import` and `pulumi convert` produce) into Python source.
func (h *host) GenerateProgram(_ context.Context, req *pulumirpc.GenerateProgramRequest) (*pulumirpc.GenerateProgramResponse, error) {
	// As the official host: Python prefers the output-versioned form of invokes.
	bindOptions := []pcl.BindOption{pcl.PreferOutputVersionedInvokes}
	if !req.GetStrict() {
		bindOptions = append(bindOptions, pcl.NonStrictBindOptions()...)
	}
	return hostutil.GenerateProgram(req, pythongen.GenerateProgram, bindOptions...)
}
