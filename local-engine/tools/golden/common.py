"""Shared helpers of the golden-set generators: official sources, shims, safetensors, init, key maps, manifest.

Nothing here changes the official math. The shims only make the official files import and run on a CPU-only
torch 1.13 without diffusers, einops, flash-attn, transformers or tqdm (see README.md, "Shims").
"""
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import types
import zlib

import numpy as np
import torch

# --------------------------------------------------------------------------------------------------------------
# Official sources


def extract(git_dir, commit, paths, dest):
    """Writes each official file `path` at `commit` of the git repository `git_dir` under `dest`, unmodified."""
    for path in paths:
        text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{path}"], check=True,
                              capture_output=True).stdout
        target = os.path.join(dest, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(text)


def write(dest, path, text):
    target = os.path.join(dest, path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w") as f:
        f.write(text)


ATTENTION_SHIM = '''
import torch

def flash_attention(q, k, v, q_lens=None, k_lens=None, dropout_p=0., softmax_scale=None, q_scale=None,
                    causal=False, window_size=(-1, -1), deterministic=False, dtype=torch.bfloat16, version=None):
    """Plain softmax(q k^T * scale) v in the inputs' dtype; keys beyond k_lens masked (flash-attn's contract)."""
    out_dtype = q.dtype
    b, lq, n, c = q.shape
    scale = softmax_scale if softmax_scale is not None else c ** -0.5
    if q_scale is not None:
        q = q * q_scale
    qh, kh, vh = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
    logits = torch.matmul(qh, kh.transpose(-1, -2)) * scale
    if k_lens is not None:
        keep = torch.arange(k.size(1)).view(1, 1, 1, -1) < k_lens.view(-1, 1, 1, 1)
        logits = logits.masked_fill(~keep, float('-inf'))
    out = torch.matmul(torch.softmax(logits, dim=-1), vh)
    return out.transpose(1, 2).contiguous().to(out_dtype)

def attention(q, k, v, q_lens=None, k_lens=None, dropout_p=0., softmax_scale=None, q_scale=None, causal=False,
              window_size=(-1, -1), deterministic=False, dtype=torch.bfloat16, fa_version=None):
    return flash_attention(q, k, v, q_lens=q_lens, k_lens=k_lens, softmax_scale=softmax_scale, q_scale=q_scale)
'''

TOKENIZER_SHIM = '''
import zlib
import torch

class HuggingfaceTokenizer:
    """Stand-in: words hashed to ids in [2, vocab), </s> = 1 appended, pad 0 to seq_len, mask 1 on real tokens."""
    vocab = 256

    def __init__(self, name=None, seq_len=None, clean=None, **kwargs):
        self.seq_len = seq_len

    def __call__(self, sequence, return_mask=False, **kwargs):
        if isinstance(sequence, str):
            sequence = [sequence]
        ids = torch.zeros(len(sequence), self.seq_len, dtype=torch.long)
        mask = torch.zeros(len(sequence), self.seq_len, dtype=torch.long)
        for row, text in enumerate(sequence):
            words = [2 + zlib.crc32(w.encode()) % (self.vocab - 2) for w in text.split()][: self.seq_len - 1] + [1]
            ids[row, : len(words)] = torch.tensor(words)
            mask[row, : len(words)] = 1
        return (ids, mask) if return_mask else ids
'''

DIFFUSERS_SHIM = {
    "diffusers/__init__.py": "",
    "diffusers/configuration_utils.py": '''
import functools, inspect, types

class ConfigMixin:
    config_name = "config.json"

def register_to_config(init):
    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        bound = inspect.signature(init).bind(self, *args, **kwargs)
        bound.apply_defaults()
        values = {k: v for k, v in bound.arguments.items() if k != "self"}
        self.config = types.SimpleNamespace(**values)
        self._internal_dict = values
        init(self, *args, **kwargs)
    return wrapper
''',
    "diffusers/models/__init__.py": "",
    "diffusers/models/modeling_utils.py": "import torch\nModelMixin = torch.nn.Module\n",
    "diffusers/schedulers/__init__.py": "",
    "diffusers/schedulers/scheduling_utils.py": '''
import enum
from dataclasses import dataclass
import torch

class KarrasDiffusionSchedulers(enum.Enum):
    pass

class SchedulerMixin:
    pass

@dataclass
class SchedulerOutput:
    prev_sample: torch.Tensor
''',
    "diffusers/utils/__init__.py": '''
def deprecate(*args, **kwargs):
    pass

def is_scipy_available():
    return False
''',
    "diffusers/utils/torch_utils.py": '''
import torch

def randn_tensor(shape, generator=None, device=None, dtype=None, layout=None):
    return torch.randn(shape, generator=generator, device=device, dtype=dtype)
''',
    "einops/__init__.py": '''
def rearrange(x, pattern, **axes):
    """Only the two patterns the Wan VAEs use, as permute + reshape."""
    p = pattern.replace(" ", "")
    if p == "bcthw->(bt)chw":
        b, c, t, h, w = x.shape
        return x.permute(0, 2, 1, 3, 4).reshape(b * t, c, h, w)
    if p == "(bt)chw->bcthw":
        t = axes["t"]
        bt, c, h, w = x.shape
        return x.reshape(bt // t, t, c, h, w).permute(0, 2, 1, 3, 4)
    if p == "bcf(hq)(wr)->b(crq)fhw":
        q, r = axes["q"], axes["r"]
        b, c, f, hq, wr = x.shape
        x = x.reshape(b, c, f, hq // q, q, wr // r, r)
        return x.permute(0, 1, 6, 4, 2, 3, 5).reshape(b, c * r * q, f, hq // q, wr // r)
    if p == "b(crq)fhw->bcf(hq)(wr)":
        q, r = axes["q"], axes["r"]
        b, crq, f, h, w = x.shape
        x = x.reshape(b, crq // (r * q), r, q, f, h, w)
        return x.permute(0, 1, 4, 5, 3, 6, 2).reshape(b, crq // (r * q), f, h * q, w * r)
    raise NotImplementedError(pattern)
''',
    "tqdm/__init__.py": "def tqdm(iterable=None, *args, **kwargs):\n    return iterable\n",
}


def install_shims(root):
    """Writes the stand-in packages under `root`, puts `root` first on sys.path and patches CPU-only torch."""
    for path, text in DIFFUSERS_SHIM.items():
        write(root, path, text)
    write(root, "wan/__init__.py", "")
    write(root, "wan/modules/__init__.py", "")
    write(root, "wan/utils/__init__.py", "")
    write(root, "wan/distributed/__init__.py", "")
    write(root, "wan/distributed/fsdp.py", "def shard_model(*args, **kwargs):\n    raise NotImplementedError\n")
    write(root, "wan/distributed/sequence_parallel.py",
          "def sp_attn_forward(*a, **k):\n    raise NotImplementedError\n"
          "def sp_dit_forward(*a, **k):\n    raise NotImplementedError\n")
    write(root, "wan/distributed/util.py", "def get_world_size():\n    return 1\n")
    write(root, "wan/modules/attention.py", ATTENTION_SHIM)
    write(root, "wan/modules/tokenizers.py", TOKENIZER_SHIM)
    sys.path.insert(0, root)
    torch.cuda.current_device = lambda: "cpu"
    torch.cuda.synchronize = lambda *a, **k: None
    torch.cuda.empty_cache = lambda *a, **k: None
    import torch.nn.functional as F
    if not hasattr(F, "scaled_dot_product_attention"):
        def sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False):
            logits = torch.matmul(q, k.transpose(-1, -2)) * (q.size(-1) ** -0.5)
            return torch.matmul(torch.softmax(logits, dim=-1), v)
        F.scaled_dot_product_attention = sdpa
    import torch.distributed as dist
    if not hasattr(dist, "is_initialized"):
        dist.is_initialized = lambda: False


# --------------------------------------------------------------------------------------------------------------
# safetensors (written here: 8-byte little-endian header size, JSON header, raw little-endian data)

DTYPES = {torch.float32: ("F32", np.float32), torch.int64: ("I64", np.int64), torch.uint8: ("U8", np.uint8)}
BACK = {"F32": np.float32, "I64": np.int64, "U8": np.uint8}


def save_safetensors(tensors, path, metadata=None):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        code, npt = DTYPES[t.dtype]
        data = t.numpy().astype(np.dtype(npt).newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=np.dtype(BACK[e["dtype"]]).newbyteorder("<")).astype(BACK[e["dtype"]])
        out[name] = torch.from_numpy(arr.reshape(e["shape"]).copy())
    return out


def tensor_table(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    return {k: {"dtype": v["dtype"], "shape": v["shape"]} for k, v in sorted(header.items()) if k != "__metadata__"}


# --------------------------------------------------------------------------------------------------------------
# Initialisation: every parameter random and informative (see the READMEs of the shared sets)


def init_random(module, seed, embedding_std=1.0, modulation_dim=None, rel_pos_std=0.5):
    """Linear/conv weights N(0, 1/fan_in), biases N(0, 0.1), norm scales U[0.5, 1.5], embeddings N(0, std),
    modulation tables N(0, 1)/sqrt(dim), in named_parameters order from one generator seeded `seed`."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            leaf = name.split(".")[-1]
            if name.endswith("modulation"):
                p.copy_(torch.randn(p.shape, generator=g) / (modulation_dim or p.shape[-1]) ** 0.5)
            elif "pos_embedding" in name:
                p.copy_(torch.randn(p.shape, generator=g) * rel_pos_std)
            elif "token_embedding" in name:
                p.copy_(torch.randn(p.shape, generator=g) * embedding_std)
            elif leaf == "bias":
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
            elif leaf in ("gamma",) or (leaf == "weight" and p.dim() == 1):
                p.copy_(torch.rand(p.shape, generator=g) + 0.5)
            elif leaf == "weight":
                fan_in = int(np.prod(p.shape[1:]))
                p.copy_(torch.randn(p.shape, generator=g) / fan_in ** 0.5)
            else:
                raise ValueError(f"no init rule for {name} {tuple(p.shape)}")
    return module


def named_state(module):
    return {k: v.detach().clone().float() for k, v in module.state_dict().items()}


# --------------------------------------------------------------------------------------------------------------
# Key maps: the shared sets' per-tensor maps (made by diffusers' converter), generalised over block indices


def generalise_key_map(template, official_names, block_patterns):
    """Maps every official name through `template` (official -> Diffusers of the shared set), rewriting block
    indices: `block_patterns` is a list of (official regex with one group, diffusers format with {i})."""
    result = {}
    rules = []
    for off_re, diff_fmt in block_patterns:
        rules.append((re.compile(off_re), diff_fmt))
    for name in official_names:
        if name in template:
            result[name] = template[name]
            continue
        for rx, fmt in rules:
            m = rx.match(name)
            if m:
                i = int(m.group(1))
                probe = name[: m.start(1)] + "0" + name[m.end(1):]
                if probe not in template:
                    break
                src = template[probe]
                zero = fmt.format(i=0)
                assert src.startswith(zero) or zero in src, (probe, src, zero)
                result[name] = src.replace(zero, fmt.format(i=i), 1)
                break
        else:
            raise KeyError(f"no Diffusers name for {name}")
        if name not in result:
            raise KeyError(f"no Diffusers name for {name}")
    assert len(set(result.values())) == len(result), "key map is not one-to-one"
    return result


KEY_MAP_RULES = (("transformer", [(r"blocks\.(\d+)\.", "blocks.{i}.")]),
                 ("text_encoder", [(r"blocks\.(\d+)\.", "encoder.block.{i}.")]),
                 ("vae", []))


def key_maps(template_dir, weights):
    """Official -> Diffusers maps of every component, from the template set's maps."""
    maps = {}
    for comp, rules in KEY_MAP_RULES:
        with open(os.path.join(template_dir, "key_maps", comp + ".json")) as f:
            template = json.load(f)
        maps[comp] = generalise_key_map(template, sorted(weights[comp]), rules)
    return maps


def write_config(template_dir, out_dir, path, **changes):
    """The template set's config file `path` with `changes` (each key must exist there) written under `out_dir`."""
    with open(os.path.join(template_dir, path)) as f:
        c = json.load(f)
    for k, v in changes.items():
        assert k in c, (path, k)
        c[k] = v
    write_json(os.path.join(out_dir, path), c)


def write_diffusers_configs(template_dir, out_dir, preset, **vae_changes):
    """transformer/, text_encoder/ and scheduler/ configs and model_index.json for a preset's sizes."""
    d, t = preset["dit"], preset["t5"]
    write_config(template_dir, out_dir, "transformer/config.json", attention_head_dim=d["dim"] // d["num_heads"],
                 ffn_dim=d["ffn_dim"], freq_dim=d["freq_dim"], num_attention_heads=d["num_heads"],
                 num_layers=d["num_layers"], text_dim=t["dim"])
    write_config(template_dir, out_dir, "vae/config.json", **vae_changes)
    write_config(template_dir, out_dir, "text_encoder/config.json", d_ff=t["dim_ffn"],
                 d_kv=t["dim_attn"] // t["num_heads"], d_model=t["dim"], num_heads=t["num_heads"],
                 num_layers=t["num_layers"], num_decoder_layers=t["num_layers"],
                 relative_attention_num_buckets=t["num_buckets"], vocab_size=t["vocab"])
    write_config(template_dir, out_dir, "scheduler/scheduler_config.json", flow_shift=preset["shift"])
    with open(os.path.join(template_dir, "model_index.json")) as f:
        index = f.read()
    with open(os.path.join(out_dir, "model_index.json"), "w") as f:
        f.write(index)


class ModelRecorder(torch.nn.Module):
    """Pass-through around the DiT as the official pipelines call it; appends (x, t, context, out) to `calls`."""

    def __init__(self, inner, calls):
        super().__init__()
        self.inner = inner
        self.calls = calls

    def forward(self, x, t, context, seq_len):
        out = self.inner(x, t=t, context=context, seq_len=seq_len)
        self.calls.append((x[0], t, context[0], out[0]))
        return out


def rename(state, key_map):
    out = {key_map[k]: v for k, v in state.items()}
    assert len(out) == len(state)
    return out


# --------------------------------------------------------------------------------------------------------------
# Manifest


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def files_table(out_dir, descriptions):
    files = {}
    for dirpath, _, names in os.walk(out_dir):
        for n in sorted(names):
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, out_dir)
            if rel in ("manifest.json", "README.md"):
                continue
            entry = {"bytes": os.path.getsize(full), "sha256": sha256(full)}
            if rel.endswith(".safetensors"):
                entry["tensors"] = tensor_table(full)
            if rel in descriptions:
                entry["description"] = descriptions[rel]
            files[rel] = entry
    return dict(sorted(files.items()))


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def compare(a, b):
    """max |a - b| over the floating tensors two golden dicts share; (max_abs, worst tensor)."""
    worst, where = 0.0, None
    for k in a:
        if a[k].dtype != torch.float32:
            continue
        d = (a[k].double() - b[k].double()).abs().max().item() if a[k].numel() else 0.0
        if d > worst:
            worst, where = d, k
    return worst, where


def word_ids(text, text_len, vocab):
    words = [2 + zlib.crc32(w.encode()) % (vocab - 2) for w in text.split()][: text_len - 1] + [1]
    ids = torch.zeros(1, text_len, dtype=torch.long)
    mask = torch.zeros(1, text_len, dtype=torch.long)
    ids[0, : len(words)] = torch.tensor(words)
    mask[0, : len(words)] = 1
    return ids, mask
