"""Writes README.md of a generated golden set from its manifest.json (provenance, sizes, files, tensor tables).

    python3 readme.py SET_DIR [--committed-without official]
"""
import argparse
import json
import os

GEN = {
    "wan21": ("Wan 2.1 T2V", "make_wan21.py", "shared/fixtures/wan21-tiny/README.md"),
    "wan22": ("Wan 2.2 TI2V", "make_wan22.py", "shared/fixtures/wan22-tiny/README.md"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set_dir")
    ap.add_argument("--committed-without", default=None)
    args = ap.parse_args()
    with open(os.path.join(args.set_dir, "manifest.json")) as f:
        m = json.load(f)
    name = m["name"]
    title, tool, shared = GEN[name[:5]]
    cfg = m["config"]
    prod = m["produced_by"]
    off = cfg["official"]
    pipe = cfg["pipeline"]
    lines = [f"# {title} golden set `{name}`", "",
             f"Reference numbers made by running the **official {title} code** on small models with seeded random",
             "weights, on CPU in float32, in exactly the layout of the shared set it is modelled on",
             f"(`{shared}`, whose README explains every file and tensor; this README lists what differs).",
             f"Made by `local-engine/tools/golden/{tool}` (see that folder's README for how to re-create it).", "",
             "## Provenance", "",
             f"- official code: `{prod['reference_implementation']['repo']}` at "
             f"`{prod['reference_implementation']['commit']}` ({', '.join(prod['reference_implementation']['files'])})",
             f"- official -> Diffusers names: the shared set's `key_maps/*.json` (made by `{prod['key_renaming']['repo']}` "
             f"`{prod['key_renaming']['commit']}` `scripts/convert_wan_to_diffusers.py`), generalised over the block index",
             f"- runtime: {prod['runtime']}",
             f"- tool: `{prod['tool']}`", "",
             "## Configuration (official constructor arguments)", ""]
    for cls, c in off.items():
        lines.append(f"- `{cls}`: " + ", ".join(f"`{k}={v}`" for k, v in c.items()))
    lines += ["", "Pipeline: " + ", ".join(f"`{k}={v}`" for k, v in pipe.items() if k not in ("prompts",)), "",
              "Seeds: " + ", ".join(f"`{k}={v}`" for k, v in cfg["seeds"].items()), ""]
    if "lora" in cfg:
        lines += ["LoRA: " + ", ".join(f"`{k}={v}`" for k, v in cfg["lora"].items()), ""]
    lines += ["Initialisation (after the official constructors, one generator per component, parameters in",
              "`named_parameters()` order; std = standard deviation): linear/conv weights normal with std",
              "1/sqrt(fan_in), biases std 0.1, norm scales and VAE gammas uniform in [0.5, 1.5], umT5 token embedding",
              "std 1, relative-position tables std 0.5, DiT modulation tables std 1/sqrt(dim). LoRA: A std",
              "1/sqrt(in), B std 0.2/sqrt(rank), no alpha stored (alpha = rank, factor 1).", ""]
    if args.committed_without:
        lines += [f"The `{args.committed_without}/` folder (the same weights under the official names) is not committed",
                  "to keep the test resources small; the manifest still lists it, and the tool re-creates it.", ""]
    lines += ["## Files", "", "| path | bytes |", "| --- | --- |"]
    for path, e in m["files"].items():
        lines.append(f"| `{path}` | {e['bytes']} |")
    lines += [""]
    for path, e in m["files"].items():
        if not path.startswith("golden/"):
            continue
        lines += [f"### `{path}`", "", "| tensor | dtype | shape |", "| --- | --- | --- |"]
        for t, d in e["tensors"].items():
            lines.append(f"| `{t}` | {d['dtype']} | {d['shape']} |")
        lines.append("")
    for label, table in m.get("observed_differences", {}).items():
        same = all(v["all_bitwise_equal"] for v in table.values())
        worst = max(v["max_abs"] for v in table.values())
        lines += [f"Reproducibility (`{label}`, `compare_runs.py`): " + ("every golden file bit-identical." if same else
                  f"max abs difference {worst:.2e}."), ""]
    lines += ["## Tolerances", "",
              "As for the shared set: component outputs within max |diff| 1e-4, end-to-end traces and video within",
              "5e-4 (values are O(1)); differences of 1e-2 or more are real discrepancies.", ""]
    with open(os.path.join(args.set_dir, "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
