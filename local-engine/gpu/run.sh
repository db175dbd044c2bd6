#!/usr/bin/env bash
# Verifies and unpacks an engine bundle made by stage.sh, then runs DeviceCheck from it; results go to $OUT
# (or --results DIR). Everything after -- is passed to DeviceCheck.
#
#   local-engine/gpu/run.sh --parts DIR [--work DIR] [--results DIR] [--engine-jar JAR] -- --device cuda:0 ...
#
# --engine-jar replaces the bundled engine jar (a few hundred KB) with a newer build, so a change to the engine
# can be measured again without shipping the natives again.
# On a CUDA machine the CUDA libraries come from the machine itself: CUDA_LIB_DIRS if set, else the lib folders
# of the NVIDIA Python packages next to its PyTorch, else /usr/local/cuda/lib64. JavaCPP extracts the natives into
# JAVACPP_CACHE (default: a fresh folder under --work).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
parts="" work=${TMPDIR:-/tmp}/wan-engine-bundle results=${OUT:-} engine_jar=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --parts) parts=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --engine-jar) engine_jar=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
[[ -n "$parts" && -n "$results" ]] || { echo "usage: run.sh --parts DIR [--work DIR] [--results DIR] -- DeviceCheck args" >&2; exit 64; }
rm -rf "$work"; mkdir -p "$work" "$results"
python3 "$here/bundle_manifest.py" unpack "$parts" "$work"
bundle=$work/bundle
cat "$bundle/BUNDLE.txt"
if [[ -n "$engine_jar" ]]; then
  rm -f "$bundle"/lib/local-engine-*.jar
  cp "$engine_jar" "$bundle/lib/"
  echo "engine jar replaced by $engine_jar"
fi
if [[ -z "${CUDA_LIB_DIRS:-}" ]] && command -v python3 >/dev/null; then
  CUDA_LIB_DIRS=$(python3 - <<'PY' 2>/dev/null || true
import glob, os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
try:
    import torch
    roots.append(os.path.dirname(os.path.dirname(torch.__file__)))
except Exception:
    pass
dirs = sorted({d for r in roots for d in glob.glob(os.path.join(r, 'nvidia', '*', 'lib'))})
print(':'.join(dirs))
PY
)
fi
[[ -d /usr/local/cuda/lib64 ]] && CUDA_LIB_DIRS=${CUDA_LIB_DIRS:+$CUDA_LIB_DIRS:}/usr/local/cuda/lib64
export LD_LIBRARY_PATH=${CUDA_LIB_DIRS:-}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "CUDA library folders: ${CUDA_LIB_DIRS:-none}"
set -x
"$bundle/runtime/bin/java" --enable-native-access=ALL-UNNAMED -Xmx8g \
  -Dorg.bytedeco.javacpp.cachedir="${JAVACPP_CACHE:-$work/javacpp-cache}" \
  -cp "$bundle/lib/*" dev.wanhybrid.engine.devicecheck.DeviceCheck "$@" --out "$results/device-check.json"
