"""Makes a Wan 2.2 TI2V golden set in the format of shared/fixtures/wan22-tiny by running the official Wan 2.2 code.

    python3 make_wan22.py --repo /path/to/Wan2.2/.git --template /path/to/wan22-tiny --preset b --out DIR

See README.md (what is run, shims, what differs from how the shared set was made).
"""
import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import types

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

COMMIT = "42bf4cfaa384bc21833865abc2f9e6c0e67233dc"
FILES = ["wan/modules/model.py", "wan/modules/t5.py", "wan/modules/vae2_2.py", "wan/utils/fm_solvers_unipc.py",
         "wan/utils/fm_solvers.py", "wan/utils/utils.py", "wan/textimage2video.py"]

PRESETS = {
    # 3 blocks, 24-wide heads, 2 latent frames of 4x4, 3 steps at shift 3, LoRA rank 2, VAE widths 5/6
    "b": dict(dit=dict(dim=96, ffn_dim=160, freq_dim=64, num_heads=4, num_layers=3), text_len=12,
              t5=dict(vocab=300, dim=48, dim_attn=48, dim_ffn=96, num_heads=6, num_layers=3, num_buckets=32),
              vae_dim=5, vae_dec_dim=6, frame_num=5, size=(64, 64), steps=3, shift=3.0, guide=4.0,
              seed_t2v=7, seed_i2v=8, seeds_base=4000, lora_rank=2),
    # 1 block of 3 heads of 16, umT5 dim_attn != dim, 3 latent frames of 2x6, 2 steps at shift 7, rank 8,
    # VAE widths 6/10 (decoder channels 20 and 40)
    "c": dict(dit=dict(dim=48, ffn_dim=96, freq_dim=16, num_heads=3, num_layers=1), text_len=24,
              t5=dict(vocab=200, dim=24, dim_attn=32, dim_ffn=40, num_heads=2, num_layers=1, num_buckets=16),
              vae_dim=6, vae_dec_dim=10, frame_num=9, size=(96, 32), steps=2, shift=7.0, guide=3.5,
              seed_t2v=11, seed_i2v=12, seeds_base=5000, lora_rank=8),
}

PROMPTS = ["a red fox runs through fresh snow at dawn", "two paper boats drift down a rainy street",
           "timelapse of clouds over a mountain lake with a small wooden cabin"]
NEGATIVE = "blurry static low quality"
LORA_TARGETS = ["attn1.to_q", "attn1.to_k", "attn1.to_v", "attn1.to_out.0", "attn2.to_q", "attn2.to_k",
                "attn2.to_v", "attn2.to_out.0", "ffn.net.0.proj", "ffn.net.2"]


def stub_modules():
    """torchvision's to_tensor (uint8 RGB: HWC -> CHW / 255) and an inert imageio, for wan/utils/utils.py."""
    tv = types.ModuleType("torchvision")
    tr = types.ModuleType("torchvision.transforms")
    fn = types.ModuleType("torchvision.transforms.functional")

    def to_tensor(img):
        a = torch.from_numpy(np.asarray(img, dtype=np.uint8).copy())
        return a.permute(2, 0, 1).float().div(255)
    fn.to_tensor = to_tensor
    tv.transforms, tr.functional = tr, fn
    sys.modules.update({"torchvision": tv, "torchvision.transforms": tr, "torchvision.transforms.functional": fn,
                        "imageio": types.ModuleType("imageio")})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--preset", required=True, choices=sorted(PRESETS))
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(2)
    p = PRESETS[args.preset]
    work = tempfile.mkdtemp(prefix="wan22-official-")
    common.extract(args.repo, COMMIT, FILES, work)
    common.install_shims(work)
    stub_modules()
    import wan.modules.tokenizers as toks
    toks.HuggingfaceTokenizer.vocab = p["t5"]["vocab"]
    from PIL import Image
    from wan.modules import model as wan_model, t5 as wan_t5, vae2_2 as wan_vae
    from wan.utils.fm_solvers_unipc import FlowUniPCMultistepScheduler
    from wan.utils.utils import masks_like
    from wan import textimage2video

    base, text_len, d = p["seeds_base"], p["text_len"], p["dit"]
    dit_cfg = dict(model_type="ti2v", patch_size=(1, 2, 2), text_len=text_len, in_dim=48, out_dim=48,
                   text_dim=p["t5"]["dim"], window_size=(-1, -1), qk_norm=True, cross_attn_norm=True, eps=1e-6, **d)
    t5_cfg = dict(shared_pos=False, dropout=0.1, **p["t5"])
    vae_cfg = dict(dim=p["vae_dim"], dec_dim=p["vae_dec_dim"], z_dim=48, dim_mult=[1, 2, 4, 4], num_res_blocks=2,
                   attn_scales=[], temperal_downsample=[False, True, True], dropout=0.0)
    dit = common.init_random(wan_model.WanModel(**dit_cfg), base + 1, modulation_dim=d["dim"]).eval()
    t5 = common.init_random(wan_t5.T5Encoder(**t5_cfg), base + 3).eval()
    vae_net = common.init_random(wan_vae.WanVAE_(**vae_cfg), base + 5).eval()
    weights = {"transformer": common.named_state(dit), "text_encoder": common.named_state(t5),
               "vae": common.named_state(vae_net)}

    g = torch.Generator().manual_seed(base + 10)
    rnd = lambda *shape: torch.randn(*shape, generator=g)  # noqa: E731
    W, H = p["size"]
    F = p["frame_num"]
    lat = (48, (F - 1) // 4 + 1, H // 16, W // 16)
    seq_len = math.ceil(lat[2] * lat[3] / 4 * lat[1])
    golden = {}
    tok = toks.HuggingfaceTokenizer(seq_len=text_len)

    # official wrappers built around the tiny models (their constructors load the real checkpoints)
    vae = object.__new__(wan_vae.Wan2_2_VAE)
    proto = wan_vae.Wan2_2_VAE.__init__.__code__.co_consts  # noqa: F841 (means are read below from a real init)
    mean_std = read_latent_stats(wan_vae)
    vae.dtype, vae.device = torch.float32, "cpu"
    vae.scale = [mean_std[0], 1.0 / mean_std[1]]
    vae.model = vae_net
    enc = object.__new__(wan_t5.T5EncoderModel)
    enc.text_len, enc.dtype, enc.device, enc.model, enc.tokenizer = text_len, torch.float32, "cpu", t5, tok

    with torch.no_grad():
        # ---- umT5 on the prompts and the negative prompt
        ids, mask = tok(PROMPTS + [NEGATIVE], return_mask=True)
        probes = {}
        hooks = [t5.token_embedding.register_forward_hook(lambda m, i, o: probes.__setitem__("inter.embed", o))]
        for i, blk in enumerate(t5.blocks):
            hooks.append(blk.register_forward_hook(lambda m, inp, o, i=i: probes.__setitem__(f"inter.block{i}", o)))
        hooks.append(t5.blocks[0].pos_embedding.register_forward_hook(
            lambda m, i, o: probes.__setitem__("inter.pos_bias0", o)))
        full = t5(ids, mask)
        for h in hooks:
            h.remove()
        tg = {"input.ids": ids, "input.mask": mask, "output.full": full, **probes}
        for row in range(ids.size(0)):
            tg[f"output.trimmed.{row}"] = full[row, : int(mask[row].sum())]
        golden["t5_encoder"] = tg
        contexts = [tg[f"output.trimmed.{i}"] for i in range(ids.size(0))]

        # ---- VAE
        tt, yy, xx = torch.meshgrid(torch.arange(F).float(), torch.arange(H).float(), torch.arange(W).float(),
                                    indexing="ij")
        phase = rnd(3, 3)
        clip = torch.stack([torch.sin(xx * 0.13 * (1 + phase[c, 0].abs()) + yy * 0.09 * phase[c, 1] + tt * 0.4 * phase[c, 2])
                            for c in range(3)])
        clip = (0.8 * clip + 0.2 * rnd(3, F, H, W)).clamp(-1, 1)
        probes = {}
        hooks = [vae_net.encoder.register_forward_hook(lambda m, i, o: probes.setdefault("enc", []).append(o)),
                 vae_net.conv1.register_forward_hook(lambda m, i, o: probes.__setitem__("conv1", o))]
        z = vae.encode([clip])[0]
        for h in hooks:
            h.remove()
        vg = {"encode.input": clip.unsqueeze(0), "encode.encoder_out": torch.cat(probes["enc"], 2),
              "encode.conv1_out": probes["conv1"], "encode.mu_raw": probes["conv1"][:, :48], "encode.output": z}
        image = ((rnd(H, W, 3) * 0.25 + 0.5 + 0.3 * torch.sin(xx[0, :, :, None] * 0.2 + phase[0]))
                 .clamp(0, 1) * 255).round().to(torch.uint8)
        img_tensor = image.permute(2, 0, 1).float().div(255).sub(0.5).div(0.5).unsqueeze(1)
        vg["encode_image.input"] = img_tensor
        vg["encode_image.output"] = vae.encode([img_tensor])[0]
        latents = rnd(1, *lat)
        probes = {}
        hooks = [vae_net.decoder.register_forward_hook(lambda m, i, o: probes.setdefault("dec", []).append(o)),
                 vae_net.conv2.register_forward_hook(lambda m, i, o: probes.__setitem__("conv2", o))]
        video = vae.decode([latents[0]])[0]
        for h in hooks:
            h.remove()
        vg.update({"decode.input": latents, "decode.post_quant_out": probes["conv2"],
                   "decode.decoder_out": torch.cat(probes["dec"], 2), "decode.output": video,
                   "latents_mean": mean_std[0], "latents_std": mean_std[1]})
        golden["vae"] = vg

        # ---- DiT: t2v (every token at 999), ti2v (frame-0 tokens at 0, others 750), t1d (1-D int64 500)
        dg = {}
        z_image = vg["encode_image.output"]
        for case in ("t2v", "ti2v", "t1d"):
            x = rnd(*lat)
            ctx = contexts[{"t2v": 0, "ti2v": 1, "t1d": 0}[case]] if case != "t1d" else rnd(11 % text_len + 1,
                                                                                              p["t5"]["dim"])
            if case == "t2v":
                t = torch.full((1, seq_len), 999.0)
            elif case == "ti2v":
                _, m2 = masks_like([x], zero=True)
                x = (1.0 - m2[0]) * z_image + m2[0] * x
                ts = (m2[0][0][:, ::2, ::2] * 750.0).flatten()
                t = torch.cat([ts, ts.new_ones(seq_len - ts.size(0)) * 750.0]).unsqueeze(0)
                dg["ti2v.mask2"] = m2[0]
            else:
                t = torch.tensor([500], dtype=torch.long)
            probes = {}
            hooks = [dit.patch_embedding.register_forward_hook(
                         lambda m, i, o: probes.__setitem__("patch_tokens", o.flatten(2).transpose(1, 2))),
                     dit.time_embedding.register_forward_hook(lambda m, i, o: probes.__setitem__("e", o)),
                     dit.time_projection.register_forward_hook(
                         lambda m, i, o: probes.__setitem__("e0", o.unflatten(2, (6, d["dim"])))),
                     dit.text_embedding.register_forward_hook(lambda m, i, o: probes.__setitem__("context_emb", o)),
                     dit.head.register_forward_hook(lambda m, i, o: probes.__setitem__("head", o))]
            for i, blk in enumerate(dit.blocks):
                hooks.append(blk.register_forward_hook(lambda m, inp, o, i=i: probes.__setitem__(f"block{i}", o)))
            out = dit([x], t=t, context=[ctx], seq_len=seq_len)[0]
            for h in hooks:
                h.remove()
            dg.update({f"{case}.x": x, f"{case}.t": t, f"{case}.context": ctx, f"{case}.out": out,
                       f"{case}.context_padded": torch.cat([ctx, ctx.new_zeros(text_len - ctx.size(0), ctx.size(1))])})
            if case != "t1d":
                for k, v in probes.items():
                    dg[f"{case}.inter.{k}"] = v
        golden["dit_forward"] = dg

        # ---- LoRA (Diffusers naming, no alpha), merged W + scale * B @ A, on the ti2v case
        key_maps = common.key_maps(args.template, weights)
        inverse = {v: k for k, v in key_maps["transformer"].items()}
        lg = torch.Generator().manual_seed(base + 20)
        lora, r = {}, p["lora_rank"]
        for n in range(d["num_layers"]):
            for target in LORA_TARGETS:
                w = weights["transformer"][inverse[f"blocks.{n}.{target}.weight"]]
                lora[f"transformer.blocks.{n}.{target}.lora_A.weight"] = torch.randn(r, w.shape[1], generator=lg) / w.shape[1] ** 0.5
                lora[f"transformer.blocks.{n}.{target}.lora_B.weight"] = torch.randn(w.shape[0], r, generator=lg) * 0.2 / r ** 0.5
        lgold = {"input.x": dg["ti2v.x"], "input.t": dg["ti2v.t"], "input.context": dg["ti2v.context"],
                 "out_no_lora": dg["ti2v.out"]}
        base_state = {k: v.clone() for k, v in dit.state_dict().items()}
        for scale in (1.0, 0.5):
            merged = {k: v.clone() for k, v in base_state.items()}
            for n in range(d["num_layers"]):
                for target in LORA_TARGETS:
                    off = inverse[f"blocks.{n}.{target}.weight"]
                    a = lora[f"transformer.blocks.{n}.{target}.lora_A.weight"]
                    b = lora[f"transformer.blocks.{n}.{target}.lora_B.weight"]
                    merged[off] = merged[off] + scale * (b @ a)
            dit.load_state_dict(merged)
            lgold[f"out_scale{scale}"] = dit([lgold["input.x"]], t=lgold["input.t"], context=[lgold["input.context"]],
                                             seq_len=seq_len)[0]
            if scale == 1.0:
                lgold["merged.blocks.0.attn1.to_q.weight"] = merged[inverse["blocks.0.attn1.to_q.weight"]]
        dit.load_state_dict(base_state)
        golden["lora_dit"] = lgold

        # ---- scheduler traces: the e2e step count and the official default of 50, at this set's shift
        sg = {}
        for steps in sorted({p["steps"], 50}):
            sched = FlowUniPCMultistepScheduler(num_train_timesteps=1000, shift=1, use_dynamic_shifting=False)
            sched.set_timesteps(steps, device="cpu", shift=p["shift"])
            sample = rnd(1, 48, 2, 2, 2)
            pre = f"n{steps}."
            sg[pre + "sample0"] = sample
            sg[pre + "timesteps"] = sched.timesteps.long()
            sg[pre + "sigmas"] = sched.sigmas.float()
            outs, prevs, corr, x0s, orders = [], [], [], [], []
            for i, t in enumerate(sched.timesteps):
                mo = rnd(1, 48, 2, 2, 2)
                sample = sched.step(mo, t, sample, return_dict=False)[0]
                outs.append(mo)
                prevs.append(sample)
                corr.append(sched.last_sample.clone())
                x0s.append(sched.model_outputs[-1].clone())
                orders.append(sched.this_order)
            sg[pre + "model_outputs"] = torch.stack(outs)
            sg[pre + "prev_samples"] = torch.stack(prevs)
            sg[pre + "corrected"] = torch.stack(corr)
            sg[pre + "x0_preds"] = torch.stack(x0s)
            sg[pre + "orders"] = torch.tensor(orders, dtype=torch.long)
        golden["scheduler_unipc"] = sg

        # ---- WanTI2V.generate, text-to-video and image-to-video (official methods; pass-through recorders)
        pipe = object.__new__(textimage2video.WanTI2V)
        pipe.device, pipe.config, pipe.rank, pipe.t5_cpu = torch.device("cpu"), None, 0, False
        pipe.num_train_timesteps, pipe.param_dtype, pipe.text_encoder, pipe.vae = 1000, torch.float32, enc, vae
        pipe.vae_stride, pipe.patch_size, pipe.sp_size, pipe.sample_neg_prompt = (4, 16, 16), (1, 2, 2), 1, NEGATIVE
        pipe.init_on_cpu = False
        golden["t2v_e2e"] = run_e2e(pipe, dit, vae, FlowUniPCMultistepScheduler, tok, p, PROMPTS[0], None, lat)
        pil = Image.fromarray(image.numpy(), "RGB")
        golden["i2v_e2e"] = run_e2e(pipe, dit, vae, FlowUniPCMultistepScheduler, tok, p, PROMPTS[2], pil, lat)
        golden["i2v_e2e"]["image.uint8_hwc"] = image
        golden["i2v_e2e"]["image.tensor"] = img_tensor

    golden = {f: {k: (v.float() if v.is_floating_point() else v) for k, v in t.items()} for f, t in golden.items()}
    write_set(args, p, dit_cfg, t5_cfg, vae_cfg, weights, key_maps, lora, golden, lat, seq_len)
    shutil.rmtree(work)


def read_latent_stats(wan_vae):
    """The 48 official latent means/stds, taken from a real Wan2_2_VAE.__init__ whose model builder is stubbed."""
    saved = wan_vae._video_vae
    wan_vae._video_vae = lambda **kw: torch.nn.Identity()
    try:
        v = wan_vae.Wan2_2_VAE(vae_pth=None, device="cpu")
    finally:
        wan_vae._video_vae = saved
    return v.scale[0].float(), (1.0 / v.scale[1]).float()


def run_e2e(pipe, dit, vae, sched_cls, tok, p, prompt, img, lat):
    trace, calls, step_no = {}, [], [0]
    pipe.model = common.ModelRecorder(dit, calls)
    step_orig = sched_cls.step

    def step(self, model_output, timestep, sample, return_dict=True, generator=None):
        res = step_orig(self, model_output, timestep, sample, return_dict=return_dict, generator=generator)
        k = step_no[0]
        (x, ts, ctx_c, cond), (_, _, ctx_u, uncond) = calls[-2], calls[-1]
        trace.update({f"step{k}.latent_in": x, f"step{k}.t": timestep.long().view(1),
                      f"step{k}.timestep_tokens": ts, f"step{k}.v_cond": cond, f"step{k}.v_uncond": uncond,
                      f"step{k}.v_guided": model_output.squeeze(0), f"step{k}.sched_out": res[0].squeeze(0),
                      f"step{k}.corrected": self.last_sample.squeeze(0).clone(),
                      f"step{k}.x0_pred": self.model_outputs[-1].squeeze(0).clone()})
        trace["context.cond"], trace["context.uncond"] = ctx_c, ctx_u
        step_no[0] += 1
        return res
    sched_cls.step = step
    decoded, encoded = [], []
    dec_orig, enc_orig = vae.decode, vae.encode
    vae.decode = lambda zs: (decoded.append(zs[0]), dec_orig(zs))[1]
    vae.encode = lambda vs: (lambda r: (encoded.append(r[0]), r)[1])(enc_orig(vs))
    seed = p["seed_i2v"] if img is not None else p["seed_t2v"]
    W, H = p["size"]
    try:
        video = pipe.generate(prompt, img=img, size=(W, H), max_area=W * H, frame_num=p["frame_num"],
                              shift=p["shift"], sample_solver="unipc", sampling_steps=p["steps"],
                              guide_scale=p["guide"], n_prompt=NEGATIVE, seed=seed, offload_model=False)
    finally:
        sched_cls.step = step_orig
        vae.decode, vae.encode = dec_orig, enc_orig
    pids, pmask = tok([prompt], return_mask=True)
    nids, nmask = tok([NEGATIVE], return_mask=True)
    noise = torch.randn(*lat, dtype=torch.float32, generator=torch.Generator().manual_seed(seed))
    trace.update({"prompt.ids": pids, "prompt.mask": pmask, "neg.ids": nids, "neg.mask": nmask, "noise": noise,
                  "final_latent": decoded[0], "video": video})
    if img is not None:
        trace["z_image"] = encoded[0]
    else:
        assert torch.equal(trace["step0.latent_in"], noise), "the official noise is not the stored noise"
    return trace


def save_sharded(tensors, folder, stem, index_name, params_in_index):
    """Two shards and an index JSON, as the shared set (and the Hub repos) store the transformer and umT5."""
    names = sorted(tensors)
    half = len(names) // 2
    weight_map = {}
    for i, part in enumerate((names[:half], names[half:])):
        fname = f"{stem}-0000{i + 1}-of-00002.safetensors"
        common.save_safetensors({n: tensors[n] for n in part}, os.path.join(folder, fname), {"format": "pt"})
        weight_map.update({n: fname for n in part})
    meta = {"total_size": sum(t.numel() * 4 for t in tensors.values())}
    if params_in_index:
        meta = {"total_parameters": sum(t.numel() for t in tensors.values()), **meta}
    common.write_json(os.path.join(folder, index_name), {"metadata": meta, "weight_map": weight_map})


def write_set(args, p, dit_cfg, t5_cfg, vae_cfg, weights, maps, lora, golden, lat, seq_len):
    out, tpl = args.out, args.template
    os.makedirs(out, exist_ok=True)
    for name, tensors in golden.items():
        common.save_safetensors(tensors, os.path.join(out, "golden", name + ".safetensors"), {"format": "pt"})
    for comp in ("transformer", "text_encoder", "vae"):
        common.save_safetensors(weights[comp], os.path.join(out, f"official/{comp}.safetensors"), {"format": "pt"})
        common.write_json(os.path.join(out, "key_maps", comp + ".json"), maps[comp])
    save_sharded(common.rename(weights["transformer"], maps["transformer"]), os.path.join(out, "transformer"),
                 "diffusion_pytorch_model", "diffusion_pytorch_model.safetensors.index.json", False)
    save_sharded(common.rename(weights["text_encoder"], maps["text_encoder"]), os.path.join(out, "text_encoder"),
                 "model", "model.safetensors.index.json", True)
    common.save_safetensors(common.rename(weights["vae"], maps["vae"]),
                            os.path.join(out, "vae/diffusion_pytorch_model.safetensors"), {"format": "pt"})
    common.save_safetensors(lora, os.path.join(out, "lora/pytorch_lora_weights.safetensors"), {"format": "pt"})
    common.write_diffusers_configs(tpl, out, p, base_dim=p["vae_dim"], decoder_base_dim=p["vae_dec_dim"])
    common.write_config(tpl, out, "official/transformer_config.json", text_len=p["text_len"], text_dim=p["t5"]["dim"],
                        **p["dit"])

    with open(os.path.join(tpl, "manifest.json")) as f:
        tm = json.load(f)
    e2e = golden["t2v_e2e"]
    sched = golden["scheduler_unipc"]
    W, H = p["size"]
    manifest = {
        "name": os.path.basename(os.path.normpath(out)),
        "purpose": tm.get("purpose"),
        "produced_by": dict(tm["produced_by"], reference_implementation=dict(
            tm["produced_by"]["reference_implementation"], files=FILES + ["wan/modules/attention.py and wan/modules/tokenizers.py replaced (shims)"]),
            runtime=f"CPU, torch {torch.__version__} (Debian python3-torch), "
                            f"Python {sys.version.split()[0]}, 2 threads, float32",
                            tool=f"local-engine/tools/golden/make_wan22.py --preset {args.preset}"),
        "dtype": tm["dtype"],
        "config": {
            "official": {"WanModel": dict(dit_cfg, patch_size=list(dit_cfg["patch_size"]),
                                          window_size=list(dit_cfg["window_size"])),
                         "T5Encoder": dict(t5_cfg, max_dist=128, eps=1e-6), "WanVAE_": vae_cfg,
                         "Wan2_2_VAE": {"z_dim": 48, "c_dim": p["vae_dim"], "dim_mult": [1, 2, 4, 4],
                                        "temperal_downsample": [False, True, True], "dtype": "float32"}},
            "pipeline": {"text_len": p["text_len"], "vae_stride": [4, 16, 16], "patch_size": [1, 2, 2],
                         "frame_num": p["frame_num"], "size_w_h": [W, H], "max_area": W * H,
                         "latent_shape": list(lat), "seq_len": seq_len, "sample_solver": "unipc",
                         "sampling_steps": p["steps"], "shift": p["shift"], "guide_scale": p["guide"],
                         "num_train_timesteps": 1000, "offload_model": False, "seed_t2v": p["seed_t2v"],
                         "seed_i2v": p["seed_i2v"],
                         "timesteps": sched[f"n{p['steps']}.timesteps"].tolist(),
                         "sigmas": [round(s, 6) for s in sched[f"n{p['steps']}.sigmas"].tolist()],
                         "prompts": PROMPTS, "negative_prompt": NEGATIVE,
                         "tokenizer": "stand-in (words hashed to ids; the ids are stored, start from them)"},
            "component_tests": {"vae_video_F_H_W": [p["frame_num"], H, W],
                                "dit_timesteps": {"t2v": 999, "ti2v": 750, "t1d": 500},
                                "scheduler_traces": sorted({p["steps"], 50})},
            "lora": dict(tm["config"]["lora"], rank=p["lora_rank"]),
            "seeds": {"weights_base": p["seeds_base"],
                      "note": "DiT base+1, T5 base+3, VAE base+5, inputs base+10, LoRA base+20"},
        },
        "files": common.files_table(out, {}),
    }
    assert e2e["step0.t"].item() == manifest["config"]["pipeline"]["timesteps"][0]
    common.write_json(os.path.join(out, "manifest.json"), manifest)


if __name__ == "__main__":
    main()
