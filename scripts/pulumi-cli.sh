#!/usr/bin/env bash
# Prints the absolute path of a directory containing `pulumi`, `pulumi-language-nodejs` and
# `pulumi-resource-pulumi-nodejs`, and nothing else on stdout (progress and errors go to stderr).
#
# Usage:  PATH="$(scripts/pulumi-cli.sh):$PATH" pulumi preview
#
# Resolution order:
#   1. $PULUMI_SEAM_ACS_PULUMI_BIN, if set (no checks beyond `pulumi` being there).
#   2. An installed `pulumi` on PATH at >= the pinned version, with the Node.js language host and the dynamic
#      provider shim in the same directory (the layout of the official installer, ~/.pulumi/bin).
#   3. The pinned release built from tools/pulumi-cli (go.mod pins github.com/pulumi/pulumi/pkg/v3) plus our own
#      minimal language host (tools/pulumi-cli/language-nodejs), cached outside the repository under
#      ${PULUMI_SEAM_ACS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-seam-acs}/pulumi-cli/<version>-<hash>/bin.
#      The hash covers the inputs of the build, so editing them produces a fresh build; the first build takes
#      several minutes, later calls return at once.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
tools_dir="$repo_root/tools/pulumi-cli"

cache_log_prefix=pulumi-cli
# shellcheck source=lib/go-build-cache.sh
source "$repo_root/scripts/lib/go-build-cache.sh"

cache_build_failed() { install_help; }
install_help() {
  cat >&2 <<'EOF'
pulumi-cli: could not provide a Pulumi CLI.
  Install Pulumi (v3.274.1 or newer) from https://www.pulumi.com/docs/install/, e.g.
      curl -fsSL https://get.pulumi.com | sh
  and put its bin directory (~/.pulumi/bin) on PATH. The Node.js language host
  `pulumi-language-nodejs` (and `pulumi-resource-pulumi-nodejs`) must be in the same directory as `pulumi`;
  the official installer puts them there. Alternatively set PULUMI_SEAM_ACS_PULUMI_BIN to such a directory.
EOF
  exit 1
}

# Pinned version = the pulumi/pkg/v3 version required by the wrapper module.
version="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }' "$tools_dir/go.mod")"
[[ -n "$version" ]] || { log "cannot read the pinned github.com/pulumi/pulumi/pkg/v3 version from $tools_dir/go.mod"; exit 1; }

# 1. Explicit override.
if [[ -n "${PULUMI_SEAM_ACS_PULUMI_BIN:-}" ]]; then
  dir="$(cd "$PULUMI_SEAM_ACS_PULUMI_BIN" 2>/dev/null && pwd -P)" || { log "PULUMI_SEAM_ACS_PULUMI_BIN=$PULUMI_SEAM_ACS_PULUMI_BIN is not a directory"; exit 1; }
  [[ -x "$dir/pulumi" ]] || { log "no executable pulumi in PULUMI_SEAM_ACS_PULUMI_BIN=$dir"; exit 1; }
  printf '%s\n' "$dir"
  exit 0
fi

# 2. An installed CLI that is new enough and complete.
if installed="$(command -v pulumi 2>/dev/null)"; then
  dir="$(cd "$(dirname "$installed")" && pwd -P)"
  have="$(PULUMI_SKIP_UPDATE_CHECK=true "$installed" version 2>/dev/null | head -n1 || true)"
  have="v${have#v}"
  if [[ "$have" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] \
    && [[ "$(printf '%s\n%s\n' "$version" "$have" | sort -V | head -n1)" == "$version" ]] \
    && [[ -x "$dir/pulumi-language-nodejs" && -x "$dir/pulumi-resource-pulumi-nodejs" ]]; then
    printf '%s\n' "$dir"
    exit 0
  fi
  log "ignoring $installed ($have): need >= $version with pulumi-language-nodejs and pulumi-resource-pulumi-nodejs next to it"
fi

# 3. Build (or reuse) the pinned release.
# Bump layout when this script changes what it puts into the cache (e.g. the shim below).
layout=1
hash="$(inputs_hash "$tools_dir" "$layout" go.mod go.sum 'language-nodejs/*.go')"
final="$cache_root/pulumi-cli/$version-$hash"

complete() { [[ -x "$1/bin/pulumi" && -x "$1/bin/pulumi-language-nodejs" && -x "$1/bin/pulumi-resource-pulumi-nodejs" ]]; }

if complete "$final"; then
  printf '%s\n' "$final/bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "Go is not installed, so the pinned Pulumi CLI cannot be built."; install_help; }

begin_build "$cache_root/pulumi-cli" "$version-$hash"
mkdir -p "$tmp/bin"

ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
log "building Pulumi CLI $version into $final (first time only; takes several minutes on 2 cores)"
# -mod=readonly: never rewrite the committed go.mod/go.sum, fail instead.
run_step "downloading Go modules" "$tools_dir" go mod download
run_step "building pulumi-language-nodejs" "$tools_dir" \
  go build -mod=readonly -trimpath -ldflags "$ldflags" -v -o "$tmp/bin/pulumi-language-nodejs" ./language-nodejs
run_step "building pulumi $version" "$tools_dir" \
  go build -mod=readonly -trimpath -ldflags "$ldflags" -v -o "$tmp/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

# The engine serves dynamic providers with the plugin `pulumi-resource-pulumi-nodejs`, which it looks for next to
# `pulumi` or on PATH. Same as the script shipped in @pulumi/pulumi: run the dynamic-provider entry point of the
# SDK resolved from the plugin's working directory (the engine starts it in the program's directory).
cat >"$tmp/bin/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ -n "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    exec node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" "$@"
fi
exit 1
EOF
chmod 0755 "$tmp/bin/pulumi-resource-pulumi-nodejs"
publish_build "$final" complete
printf '%s\n' "$final/bin"
