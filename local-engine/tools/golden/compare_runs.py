"""Compares two generations of the same set (separate processes) and records the result in the first's manifest.

    python3 compare_runs.py SET_DIR OTHER_RUN_DIR [--label repeat_run]

For every golden file: bit-identical or not, and the max abs difference over its float tensors (the shared sets'
manifests keep the same table under "observed_differences").
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set_dir")
    ap.add_argument("other")
    ap.add_argument("--label", default="repeat_run")
    args = ap.parse_args()
    result = {}
    for name in sorted(os.listdir(os.path.join(args.set_dir, "golden"))):
        a = os.path.join(args.set_dir, "golden", name)
        b = os.path.join(args.other, "golden", name)
        with open(a, "rb") as fa, open(b, "rb") as fb:
            same = fa.read() == fb.read()
        if same:
            worst, where = 0.0, None
        else:
            import common  # needs torch; only when the files differ
            worst, where = common.compare(common.load_safetensors(a), common.load_safetensors(b))
        result[name.replace(".safetensors", "")] = {"max_abs": worst, "all_bitwise_equal": same, "worst_tensor": where}
    path = os.path.join(args.set_dir, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    manifest.setdefault("observed_differences", {})[args.label] = result
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
