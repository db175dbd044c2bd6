#!/usr/bin/env python3
"""The official Wan 2.1 PyTorch code timed at the shapes and steps DeviceCheck uses, on the same GPU, so the
engine's figures are ratios measured side by side in one run.

It runs Wan-Video/Wan2.1's own modules unmodified (`wan/modules/model.py`, `vae.py`, `t5.py`, `attention.py`
from the folder given by --official; they are not part of this project) with random weights, exactly as
`wan/text2video.py` drives them: the DiT in its checkpoint dtype (float32) under bf16 autocast, one forward for
the prompt and one for the negative prompt per step, umT5-XXL in bf16, the VAE in float32. Three stand-ins make
the files import without packages this machine lacks, none of them on the measured path: `diffusers`'
ModelMixin/ConfigMixin (plain nn.Module here), the tokenizer module (token ids are given directly), and
`flash_attention`, which is routed to the modules' own scaled_dot_product_attention fallback
(`attention.attention`) since flash-attn is not installed; libtorch's SDPA picks its fastest kernel, as in the
engine.

  python3 official_baseline.py --official DIR --sizes 832x480x17,832x480x81 --steps 3 --out results.json
"""
import argparse
import importlib.util
import json
import sys
import time
import types

import torch
import torch.nn as nn


def install_stand_ins(official):
    diffusers = types.ModuleType('diffusers')
    configuration_utils = types.ModuleType('diffusers.configuration_utils')
    models = types.ModuleType('diffusers.models')
    modeling_utils = types.ModuleType('diffusers.models.modeling_utils')

    class ConfigMixin:
        pass

    class ModelMixin(nn.Module):
        pass

    configuration_utils.ConfigMixin = ConfigMixin
    configuration_utils.register_to_config = lambda f: f
    modeling_utils.ModelMixin = ModelMixin
    for name, module in [('diffusers', diffusers), ('diffusers.configuration_utils', configuration_utils),
                         ('diffusers.models', models), ('diffusers.models.modeling_utils', modeling_utils)]:
        sys.modules[name] = module
    wan = types.ModuleType('wan')
    wan.__path__ = [f'{official}/wan']
    wan_modules = types.ModuleType('wan.modules')
    wan_modules.__path__ = [f'{official}/wan/modules']
    tokenizers = types.ModuleType('wan.modules.tokenizers')
    tokenizers.HuggingfaceTokenizer = None
    sys.modules.update({'wan': wan, 'wan.modules': wan_modules, 'wan.modules.tokenizers': tokenizers})
    loaded = {}
    for name in ['attention', 'model', 'vae', 't5']:
        spec = importlib.util.spec_from_file_location(f'wan.modules.{name}', f'{official}/wan/modules/{name}.py')
        module = importlib.util.module_from_spec(spec)
        sys.modules[f'wan.modules.{name}'] = module
        spec.loader.exec_module(module)
        loaded[name] = module
    loaded['model'].flash_attention = loaded['attention'].attention
    return loaded


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--official', required=True)
    p.add_argument('--sizes', default='832x480x17,832x480x81')
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--out', default='official-baseline.json')
    a = p.parse_args()
    m = install_stand_ins(a.official)
    dev = torch.device('cuda')
    results = {'torch': torch.__version__, 'gpu': torch.cuda.get_device_name(0), 'steps_timed': a.steps}

    def put(key, value):
        results[key] = value
        print(f'{key} = {value:.4f}' if isinstance(value, float) else f'{key} = {value}', flush=True)

    torch.manual_seed(0)
    t0 = time.perf_counter()
    with torch.device(dev):
        dit = m['model'].WanModel(model_type='t2v', patch_size=(1, 2, 2), text_len=512, in_dim=16, dim=1536,
                                  ffn_dim=8960, freq_dim=256, text_dim=4096, out_dim=16, num_heads=12, num_layers=30,
                                  window_size=(-1, -1), qk_norm=True, cross_attn_norm=True, eps=1e-6)
        t5 = m['t5'].T5Encoder(vocab=256384, dim=4096, dim_attn=4096, dim_ffn=10240, num_heads=64, num_layers=24,
                               num_buckets=32, shared_pos=False, dropout=0.0).to(torch.bfloat16)
        vae = m['vae'].WanVAE_(dim=96, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[],
                               temperal_downsample=[False, True, True], dropout=0.0)
    for model in (dit, t5, vae):
        model.eval().requires_grad_(False)
    torch.cuda.synchronize()
    put('build_random_weights_s', time.perf_counter() - t0)
    put('weights_allocated_gib', torch.cuda.memory_allocated() / 2**30)
    mean = torch.randn(16, device=dev)
    std = torch.rand(16, device=dev) + 0.5
    scale = [mean, 1.0 / std]

    ids = torch.zeros(1, 512, dtype=torch.long, device=dev)
    mask = torch.zeros(1, 512, dtype=torch.long, device=dev)
    ids[0, :41] = torch.arange(41, device=dev) * 37 + 1000
    mask[0, :41] = 1
    with torch.no_grad():
        t5(ids, mask)
        torch.cuda.synchronize()
        te = time.perf_counter()
        context = t5(ids, mask)[0, :41]
        torch.cuda.synchronize()
    put('umt5_xxl_encode_s', time.perf_counter() - te)

    for size in a.sizes.split(','):
        width, height, frames = (int(v) for v in size.split('x'))
        key = f'{width}x{height}x{frames}'
        f = (frames - 1) // 4 + 1
        latent = torch.randn(16, f, height // 8, width // 8, device=dev)
        seq_len = f * (height // 16) * (width // 16)
        put(f'{key}.tokens', seq_len)
        torch.cuda.reset_peak_memory_stats()
        times = []
        with torch.autocast('cuda', dtype=torch.bfloat16), torch.no_grad():
            for step in range(a.steps + 1):
                torch.cuda.synchronize()
                ts = time.perf_counter()
                t = torch.tensor([900 - 10 * step], device=dev)
                cond = dit([latent], t=t, context=[context], seq_len=seq_len)[0]
                uncond = dit([latent], t=t, context=[context], seq_len=seq_len)[0]
                guided = uncond + 5.0 * (cond - uncond)
                torch.cuda.synchronize()
                times.append(time.perf_counter() - ts)
                del cond, uncond, guided
        put(f'{key}.first_step_s', times[0])
        put(f'{key}.step_s', sum(times[1:]) / max(1, len(times) - 1))
        put(f'{key}.denoise_peak_gib', torch.cuda.max_memory_allocated() / 2**30)
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.synchronize()
        td = time.perf_counter()
        with torch.autocast('cuda', dtype=torch.float32), torch.no_grad():
            video = vae.decode(latent.unsqueeze(0), scale).float().clamp_(-1, 1)
        torch.cuda.synchronize()
        put(f'{key}.vae_decode_s', time.perf_counter() - td)
        put(f'{key}.vae_decode_peak_gib', torch.cuda.max_memory_allocated() / 2**30)
        put(f'{key}.video_shape', list(video.shape))
        del video
    with open(a.out, 'w') as out:
        json.dump(results, out, indent=2)


if __name__ == '__main__':
    main()
