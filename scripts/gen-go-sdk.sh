#!/usr/bin/env bash
# Regenerates the Go SDK committed under sdk/go (a Go module, so `go get` of a release tag works, as for Pulumi's
# own providers) from src/native/schema.json: `pulumi package gen-sdk --language go` (scripts/gen-sdk.sh), plus the
# module's go.mod and go.sum, which gen-sdk does not write. test/sdk-go-committed.test.ts fails when sdk/go differs
# from what this writes: run it after every change to the schema.
#
# Usage:  npm run gen-go-sdk [-- --out DIR]     (DIR defaults to sdk/go in the repository; replaced whole)
#
# go.mod and go.sum are those of test/fixtures/go-program (a program built against the pinned Go SDK, module
# github.com/pulumi/pulumi/sdk/v3) with the SDK's module path: the versions the tests build the SDK with.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
out="$repo_root/sdk/go"
while (( $# > 0 )); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) echo "gen-go-sdk: unknown argument $1 (usage: gen-go-sdk [--out DIR])" >&2; exit 2 ;;
  esac
done
module="github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bash "$repo_root/scripts/gen-sdk.sh" --out "$tmp" go
sed "s#^module .*#module $module#" "$repo_root/test/fixtures/go-program/go.mod" > "$tmp/go/go.mod"
cp "$repo_root/test/fixtures/go-program/go.sum" "$tmp/go/go.sum"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -R "$tmp/go" "$out"
