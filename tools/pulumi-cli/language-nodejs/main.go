// Command pulumi-language-nodejs is a minimal Node.js language host for the Pulumi engine.
//
// Why this exists: the official host lives in the Go module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which the module proxy available to this
// project refuses to serve. pulumi-seam-acs programs only use dynamic providers, so the host only has to start
// `@pulumi/pulumi/cmd/run` from the program's node_modules; everything else (plugin discovery, dependency
// installation, code generation, packing) is either a no-op or Unimplemented.
//
// Differences from the official host, on purpose:
//   - no resource-monitor proxy and no --sync pipes: those only serve the long-deprecated synchronous invokes;
//     the Node SDK talks to the engine's resource monitor directly;
//   - GetRequiredPlugins/GetRequiredPackages report nothing: dynamic providers are served by the
//     pulumi-resource-pulumi-nodejs shim next to this binary, which the engine finds on its own;
//   - InstallDependencies does not run npm: node_modules are managed by the repository's own npm workflow.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The Node SDK exits with this code when it has already shown the user an actionable error message
// (see @pulumi/pulumi/cmd/run/index.js, nodeJSProcessExitedAfterLoggingUserActionableMessage).
// We answer with Bail so the engine does not print a second, less useful error.
const exitCodeErrorAlreadyReported = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string             // from argv[1] or Handshake; passed to the SDK as --engine
	cancel        context.CancelFunc // cancels every running program (Cancel RPC)
	cancelCtx     context.Context
}

func main() {
	// The engine runs plugins as `<plugin> [flags...] <engine-address>`; the address is the last positional
	// argument. We accept and ignore flags such as --tracing/--logtostderr/-v=N that the engine may add.
	h := &host{}
	h.cancelCtx, h.cancel = context.WithCancel(context.Background())
	for _, a := range os.Args[1:] {
		if !strings.HasPrefix(a, "-") {
			h.engineAddress = a
		}
	}

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
	// Plugin protocol: the first line on stdout is the port the engine should dial.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: language host stopped serving: %v\n", err)
		os.Exit(1)
	}
}

// Handshake is sent by newer engines in place of (or in addition to) the command-line engine address.
func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// Dynamic providers need no plugin downloads, so there is nothing to pre-install.
func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *host) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// InstallDependencies is called by `pulumi install` and `pulumi new`; installing node_modules is the
// repository's job (npm ci), so we only say so and succeed.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return server.Send(&pulumirpc.InstallDependenciesResponse{
		Stdout: []byte("pulumi-language-nodejs (pulumi-seam-acs): not installing dependencies; run `npm ci`.\n"),
	})
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimSpace(string(out))}, nil
}

// Cancel stops running programs (the engine calls it on Ctrl-C); later Runs get a fresh context.
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cancel()
	h.cancelCtx, h.cancel = context.WithCancel(context.Background())
	return &emptypb.Empty{}, nil
}

// Run executes the program with the SDK's own entry point, @pulumi/pulumi/cmd/run, which connects back to
// the engine's resource monitor and reports resources. Program errors are returned in RunResponse.Error
// (not as a gRPC error) because that is how the engine distinguishes "the program failed" from "the host broke".
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return nil, errors.New("RunRequest.info is missing; this language host needs a Pulumi CLI >= v3.100")
	}
	programDir := info.GetProgramDirectory()
	entryPoint := info.GetEntryPoint()
	if entryPoint == "" {
		entryPoint = "." // node then loads package.json "main" or index.{js,ts}
	}

	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}

	// Resolve the SDK the program itself would load (from the program directory), so that the run script and
	// the program share one copy of @pulumi/pulumi and its runtime state.
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	resolve := exec.CommandContext(ctx, node, "-e", fmt.Sprintf("console.log(require.resolve(%q))", runPath))
	resolve.Dir = programDir
	out, err := resolve.Output()
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"could not resolve %s from %s (is @pulumi/pulumi installed? run npm ci): %v", runPath, programDir, err)}, nil
	}
	runScript := strings.TrimSpace(string(out))

	h.mu.Lock()
	engineAddress, cancelCtx := h.engineAddress, h.cancelCtx
	h.mu.Unlock()

	// Flags read by @pulumi/pulumi/cmd/run/index.js (minimist); empty values are left out, as the SDK expects.
	args := []string{runScript}
	addArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	addArg("monitor", req.GetMonitorAddress())
	addArg("engine", engineAddress)
	addArg("organization", req.GetOrganization())
	addArg("project", req.GetProject())
	addArg("root-directory", info.GetRootDirectory())
	addArg("stack", req.GetStack())
	addArg("pwd", programDir) // the SDK chdirs here before loading the program
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	addArg("parallel", fmt.Sprint(req.GetParallel()))
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	env, err := runEnv(req)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts := info.GetOptions().AsMap()
	nodeArgs := []string{}
	if s, ok := opts["nodeargs"].(string); ok {
		nodeArgs = strings.Fields(s)
	}

	// Stop the program if the engine cancels the request or calls Cancel.
	cmdCtx, cmdCancel := context.WithCancel(cancelCtx)
	defer cmdCancel()
	stop := context.AfterFunc(ctx, cmdCancel)
	defer stop()

	cmd := exec.CommandContext(cmdCtx, node, append(nodeArgs, args...)...)
	cmd.Dir = programDir
	cmd.Env = env
	// On cancellation ask node to stop (SIGINT), and kill it if it has not exited 5 s later.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	// Wrapping os.Stdout/os.Stderr hides their *os.File type, so exec copies through a pipe instead of handing
	// node our file descriptors: node may switch its stdio to non-blocking mode, which would then affect us too.
	// The engine captures our stdout/stderr and shows them as the program's output.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitCodeErrorAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d",
			exitErr.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"Problem executing program (could not run language executor): %v", err)}, nil
	}
}

// runEnv builds the child environment: config, secret config keys and the TypeScript switch, all read by the SDK
// from the environment (see @pulumi/pulumi/runtime/config.js and cmd/run/run.js).
func runEnv(req *pulumirpc.RunRequest) ([]string, error) {
	// Keys arrive as "<namespace>:<name>"; the SDK accepts both that and the older "<namespace>:config:<name>",
	// which the official host still sends, so we send the same.
	cfg := make(map[string]string, len(req.GetConfig()))
	for k, v := range req.GetConfig() {
		key, err := config.ParseKey(k)
		if err != nil {
			return nil, fmt.Errorf("invalid config key %q: %w", k, err)
		}
		cfg[key.Namespace()+":config:"+key.Name()] = v
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(cfgJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON))

	// Pulumi.yaml `runtime.options`: TypeScript via the SDK's vendored ts-node is on unless `typescript: false`.
	opts := req.GetInfo().GetOptions().AsMap()
	if ts, ok := opts["typescript"].(bool); !ok || ts {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if p, ok := opts["tsconfig"].(string); ok && p != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+p)
	}
	return env, nil
}
