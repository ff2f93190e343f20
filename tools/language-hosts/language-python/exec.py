"""Runs one Pulumi Python program for pulumi-seam-acs's own `pulumi-language-python` host.

The official host runs programs through a script it ships beside itself in the CLI archive (not in the
`pulumi` wheel); this is the project's own equivalent. The host starts it with the program's virtualenv
Python as

    python -u exec.py --monitor ADDR --engine ADDR --project P --root_directory DIR --stack S --pwd DIR
                      --dry_run true|false --parallel N [--organization O] PROGRAM [ARGS...]

with the stack config in PULUMI_CONFIG (JSON) and the names of its secret keys in
PULUMI_CONFIG_SECRET_KEYS. It fills `pulumi.runtime.Settings`, runs PROGRAM (a directory holding
__main__.py, or a file) inside `pulumi.runtime.run_in_stack`, and exits 0 on success, 32 when it has
already reported the error to the engine (the host then tells the engine not to print a second one),
1 otherwise.
"""

import argparse
import asyncio
import logging
import os
import runpy
import signal
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor

# The exit status that says "the error is already reported"; the host answers the engine with Bail.
ALREADY_REPORTED = 32

try:
    import pulumi
    import pulumi.runtime
except ImportError:
    print(traceback.format_exc(), file=sys.stderr)
    print(
        "The Pulumi Python SDK is not installed in the program's Python environment: add `pulumi` to "
        "requirements.txt and run `pulumi install` (it creates the virtualenv and installs it).",
        file=sys.stderr,
    )
    sys.exit(1)


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Run a Pulumi Python program")
    for name in ("project", "root_directory", "stack", "parallel", "dry_run", "pwd", "monitor", "engine",
                 "tracing", "organization"):
        parser.add_argument("--" + name)
    parser.add_argument("PROGRAM")
    parser.add_argument("ARGS", nargs="*")
    return parser.parse_args(argv)


def user_traceback(program):
    """The current exception's traceback from the first frame in the user's program on (all of it if none is)."""
    root = os.path.abspath(program if os.path.isdir(program) else os.path.dirname(program))
    frames = traceback.extract_tb(sys.exc_info()[2])
    for index, frame in enumerate(frames):
        if os.path.abspath(frame.filename).startswith(root + os.sep):
            return traceback.format_exc(limit=-(len(frames) - index))
    return traceback.format_exc()


def interrupted(signum, frame):
    """The host interrupts the program when the engine stops the deployment (the error that stopped it is already
    reported): leave at once and quietly, instead of a KeyboardInterrupt traceback from wherever the SDK waited."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(ALREADY_REPORTED)


def main(argv):
    args = parse_args(argv)
    signal.signal(signal.SIGINT, interrupted)

    # Config first, so that pulumi.Config reads are plain lookups; the secret keys make require_secret work.
    pulumi.runtime.set_all_config(pulumi.runtime.get_config_env(), pulumi.runtime.get_config_secret_keys_env())
    parallel = int(args.parallel) if args.parallel else None
    settings = pulumi.runtime.Settings(
        monitor=args.monitor,
        engine=args.engine,
        project=args.project,
        stack=args.stack,
        parallel=parallel,
        dry_run=args.dry_run == "true",
        organization=args.organization,
        root_directory=args.root_directory,
    )
    pulumi.runtime.configure(settings)

    sys.argv = [args.PROGRAM] + args.ARGS
    if args.pwd:
        os.chdir(args.pwd)
    program = os.path.abspath(args.PROGRAM)
    if not os.path.isdir(program):
        # run_path puts a directory on sys.path itself; for a file, its folder is where its imports live.
        sys.path.insert(0, os.path.dirname(program))

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    executor = None
    if parallel:
        # The SDK runs blocking work (gRPC calls) in the loop's default executor: size it to the engine's parallelism.
        executor = ThreadPoolExecutor(max_workers=max(parallel, 1) * 4)
        loop.set_default_executor(executor)
    # A failed deployment leaves futures nobody awaits; asyncio would log each of them as an error.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    if os.path.isdir(program) and not os.path.isfile(os.path.join(program, "__main__.py")):
        pulumi.log.error(f"no __main__.py in {program}: a Pulumi Python program's entry point is its __main__.py")
        return ALREADY_REPORTED

    status = 1
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(lambda: runpy.run_path(program, run_name="__main__")))
        status = 0
    except pulumi.RunError as e:
        pulumi.log.error(str(e))
        status = ALREADY_REPORTED
    except Exception:  # noqa: BLE001 -- any error of the program is the user's to see, with their frames
        pulumi.log.error("Program failed with an unhandled exception:\n" + user_traceback(program))
        status = ALREADY_REPORTED
    finally:
        if executor is not None:
            executor.shutdown(wait=True)
        loop.close()
        sys.stdout.flush()
        sys.stderr.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
