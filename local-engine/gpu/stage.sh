#!/usr/bin/env bash
# Packs what a Java run of the engine on another machine needs into checksummed parts of at most --part-mib MiB:
# a trimmed Java runtime (jlink), the engine jar and the jars DeviceCheck loads, and the libtorch natives (for a
# GPU bundle, libtorch_cuda.so with the machine code of every other GPU architecture zeroed, see
# prune_fatbin.py). The CUDA libraries themselves (cudart, cuBLAS, cuDNN, ...) are not shipped: the target
# machine's own copies are used (run.sh finds them).
#
#   ./mvnw -q -pl local-engine -am -Pgpu -Dbuild.dir.name=target-gpu package -DskipTests
#   local-engine/gpu/stage.sh --build local-engine/target-gpu --gpu-sm 90 --out /tmp/wan-gpu-stage
#
# --build DIR   the module's build folder holding local-engine-*.jar and engine-lib/ (made by `package`)
# --gpu-sm N    the bundle is for CUDA devices of compute capability N (90: H100/H200); omit for a CPU bundle
# --level N     xz preset, 0-9 (default 9; tests use 0)
# --part-mib N  largest part (default 60)
# --out DIR     where parts/ and manifest.json go (emptied first)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build="" sm="" level=9 part_mib=60 out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --gpu-sm) sm=$2; shift 2 ;;
    --level) level=$2; shift 2 ;;
    --part-mib) part_mib=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "stage.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
[[ -n "$build" && -n "$out" ]] || { echo "usage: stage.sh --build DIR --out DIR [--gpu-sm N] [--level N] [--part-mib N]" >&2; exit 64; }
engine_jar=$(ls "$build"/local-engine-*.jar 2>/dev/null | grep -v -- '-sources\|-javadoc' | head -1)
[[ -f "$engine_jar" && -d "$build/engine-lib" ]] || { echo "stage.sh: $build has no engine jar or engine-lib/; run the module's package phase first" >&2; exit 66; }
jdk=${JDK25_HOME:-}
if [[ -z "$jdk" ]]; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    [[ -x "$candidate/bin/jlink" ]] && { jdk=$candidate; break; }
  done
fi
[[ -x "$jdk/bin/jlink" ]] || { echo "stage.sh: no JDK 25 found; set JDK25_HOME" >&2; exit 69; }

rm -rf "$out"; mkdir -p "$out/bundle/lib" "$out/parts"
bundle=$out/bundle
# Only what DeviceCheck loads: the video encoder (FFmpeg) and the tokenizer are left behind.
for jar in "$build"/engine-lib/*.jar; do
  case "$(basename "$jar")" in
    javacpp-*|pytorch-*|openblas-*|cuda-*|gson-*) cp "$jar" "$bundle/lib/" ;;
  esac
done
cp "$engine_jar" "$bundle/lib/"
if [[ -n "$sm" ]]; then
  gpu_jar=$(ls "$bundle"/lib/pytorch-*-gpu.jar 2>/dev/null | head -1)
  [[ -f "$gpu_jar" ]] || { echo "stage.sh: --gpu-sm needs the -gpu libtorch jar (build with -Pgpu)" >&2; exit 66; }
  unpacked=$out/gpu-natives
  mkdir -p "$unpacked"
  (cd "$unpacked" && "$jdk/bin/jar" xf "$gpu_jar")
  python3 "$here/prune_fatbin.py" "$unpacked"/org/bytedeco/pytorch/*-gpu/libtorch_cuda.so --keep-sm "$sm"
  # The pruned natives go back into a jar of the same name, so JavaCPP loads them exactly as in production.
  rm "$gpu_jar"
  (cd "$unpacked" && "$jdk/bin/jar" --create --file "$gpu_jar" --no-manifest -0 .)
  rm -rf "$unpacked"
fi
modules=java.base,java.compiler,java.desktop,java.management,java.sql,jdk.unsupported
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-6 \
  --output "$bundle/runtime"
cat > "$bundle/BUNDLE.txt" <<INFO
wan-hybrid engine bundle
created: $(date -u +%Y-%m-%dT%H:%M:%SZ)
target: ${sm:+CUDA sm_$sm}${sm:-CPU}
runtime modules: $modules
INFO
tar -C "$out" -cf - bundle | xz -T0 "-$level" -c | split -b "${part_mib}M" -d -a 2 - "$out/parts/part-"
python3 "$here/bundle_manifest.py" write "$out/parts" --max-bytes $((part_mib * 1024 * 1024))
rm -rf "$bundle"
ls -l "$out/parts"
