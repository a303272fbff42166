#!/usr/bin/env bash
# Regenerates the committed swift-protobuf code from Sources/*/Protos/*.proto.
#
# Needs Debian's protoc (`apt-get install -y protobuf-compiler`) and protoc-gen-swift 1.39.0,
# which this script builds once from the offline swift-protobuf copy (only that product: the
# package's C++ protoc target takes minutes and is not needed).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc missing: apt-get install -y protobuf-compiler" >&2; exit 1; }
plugin_dir=".build-protoc-gen-swift"
plugin="$plugin_dir/src/.build/release/protoc-gen-swift"
if [ ! -x "$plugin" ]; then
    rm -rf "$plugin_dir/src"
    mkdir -p "$plugin_dir"
    git clone -q --depth 1 --branch 1.39.0 https://github.com/apple/swift-protobuf.git "$plugin_dir/src"
    (cd "$plugin_dir/src" && swift build -c release --product protoc-gen-swift)
fi
for protos in Sources/*/Protos; do
    module_dir=$(dirname "$protos")
    mkdir -p "$module_dir/Generated"
    rm -f "$module_dir"/Generated/*.pb.swift
    protoc --plugin=protoc-gen-swift="$plugin" \
        --swift_out="$module_dir/Generated" \
        --swift_opt=Visibility=Package \
        --swift_opt=UseAccessLevelOnImports=true \
        -I "$protos" "$protos"/*.proto
    echo "generated $(ls "$module_dir"/Generated/*.pb.swift | wc -l) file(s) in $module_dir/Generated"
done
