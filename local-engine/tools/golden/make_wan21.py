"""Makes a Wan 2.1 T2V golden set in the format of shared/fixtures/wan21-tiny by running the official Wan 2.1 code.

    python3 make_wan21.py --repo /path/to/Wan2.1/.git --template /path/to/wan21-tiny --preset b --out DIR

--repo is a git directory of Wan-Video/Wan2.1 (the commit below must be in it); --template is the shared set,
from which the Diffusers config files and the official -> Diffusers key maps are taken (generalised over the
block count). See README.md.
"""
import argparse
import copy
import json
import math
import os
import shutil
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

COMMIT = "9737cba9c1c3c4d04b33fcad41c111989865d315"
FILES = ["wan/modules/model.py", "wan/modules/t5.py", "wan/modules/vae.py", "wan/utils/fm_solvers_unipc.py",
         "wan/utils/fm_solvers.py", "wan/text2video.py"]

PRESETS = {
    # the shared set's sizes (to check this tool against it)
    "a": dict(dit=dict(dim=64, ffn_dim=128, freq_dim=32, num_heads=4, num_layers=2), text_len=16,
              t5=dict(vocab=256, dim=32, dim_attn=32, dim_ffn=64, num_heads=4, num_layers=2, num_buckets=32),
              vae_dim=8, frame_num=9, size=(96, 64), steps=5, shift=3.0, guide=5.0, seed=42, seeds_base=1000,
              prompt_lens=(16, 5), ctx_lens=(11, 16)),
    # other widths, a 24-wide head (RoPE split 8/8/8), 3 blocks, 2 latent frames, 3 steps, shift 5
    "b": dict(dit=dict(dim=96, ffn_dim=160, freq_dim=64, num_heads=4, num_layers=3), text_len=12,
              t5=dict(vocab=300, dim=48, dim_attn=48, dim_ffn=96, num_heads=6, num_layers=3, num_buckets=32),
              vae_dim=6, frame_num=5, size=(64, 48), steps=3, shift=5.0, guide=4.0, seed=7, seeds_base=2000,
              prompt_lens=(12, 7), ctx_lens=(9, 12)),
    # one block, 3 heads of 16, umT5 with dim_attn != dim and 16 buckets, 1 latent frame, 2 steps, shift 8
    "c": dict(dit=dict(dim=48, ffn_dim=96, freq_dim=16, num_heads=3, num_layers=1), text_len=24,
              t5=dict(vocab=200, dim=24, dim_attn=32, dim_ffn=40, num_heads=2, num_layers=1, num_buckets=16),
              vae_dim=5, frame_num=1, size=(80, 64), steps=2, shift=8.0, guide=6.0, seed=123, seeds_base=3000,
              prompt_lens=(24, 3), ctx_lens=(20, 6)),
}

PROMPT = "a red fox runs through fresh snow at dawn near a frozen river"
NEGATIVE = "blurry static low quality"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--preset", required=True, choices=sorted(PRESETS))
    ap.add_argument("--out", required=True)
    ap.add_argument("--name")
    args = ap.parse_args()
    torch.set_num_threads(1)
    p = PRESETS[args.preset]
    work = tempfile.mkdtemp(prefix="wan21-official-")
    common.extract(args.repo, COMMIT, FILES, work)
    common.install_shims(work)
    import wan.modules.tokenizers as toks
    toks.HuggingfaceTokenizer.vocab = p["t5"]["vocab"]
    from wan.modules import model as wan_model, t5 as wan_t5, vae as wan_vae
    from wan.utils.fm_solvers_unipc import FlowUniPCMultistepScheduler
    from wan import text2video

    dtype = torch.float32
    base = p["seeds_base"]
    text_len = p["text_len"]
    dit_cfg = dict(model_type="t2v", patch_size=(1, 2, 2), text_len=text_len, in_dim=16, out_dim=16,
                   text_dim=p["t5"]["dim"], window_size=(-1, -1), qk_norm=True, cross_attn_norm=True, eps=1e-6,
                   **p["dit"])
    t5_cfg = dict(shared_pos=False, dropout=0.1, **p["t5"])
    vae_cfg = dict(dim=p["vae_dim"], z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[],
                   temperal_downsample=[False, True, True], dropout=0.0)

    dit = common.init_random(wan_model.WanModel(**dit_cfg), base + 1, modulation_dim=p["dit"]["dim"]).eval()
    t5 = common.init_random(wan_t5.T5Encoder(**t5_cfg), base + 2).eval()
    vae_net = common.init_random(wan_vae.WanVAE_(**vae_cfg), base + 3).eval()
    weights = {"transformer": common.named_state(dit), "text_encoder": common.named_state(t5),
               "vae": common.named_state(vae_net)}

    g = torch.Generator().manual_seed(base + 10)
    rnd = lambda *shape: torch.randn(*shape, generator=g).to(dtype)  # noqa: E731
    W, H = p["size"]
    F = p["frame_num"]
    lat = (16, (F - 1) // 4 + 1, H // 8, W // 8)
    seq_len = math.ceil(lat[2] * lat[3] / 4 * lat[1])
    golden = {}

    with torch.no_grad():
        # ---- umT5 encoder on a padded batch of two sequences
        ids = torch.zeros(2, text_len, dtype=torch.long)
        mask = torch.zeros(2, text_len, dtype=torch.long)
        for row, n in enumerate(p["prompt_lens"]):
            ids[row, : n - 1] = torch.randint(2, p["t5"]["vocab"], (n - 1,), generator=g)
            ids[row, n - 1] = 1
            mask[row, :n] = 1
        probes = {}
        hooks = [t5.token_embedding.register_forward_hook(lambda m, i, o: probes.__setitem__("token_embedding", o))]
        for i, blk in enumerate(t5.blocks):
            hooks.append(blk.register_forward_hook(lambda m, inp, o, i=i: probes.__setitem__(f"blocks.{i}.out", o)))
            hooks.append(blk.pos_embedding.register_forward_hook(
                lambda m, inp, o, i=i: probes.__setitem__(f"blocks.{i}.rel_pos_bias", o)))
        hooks.append(t5.norm.register_forward_hook(lambda m, i, o: probes.__setitem__("final_norm", o)))
        hidden = t5(ids, mask)
        for h in hooks:
            h.remove()
        t5_gold = {"input_ids": ids, "attention_mask": mask, "last_hidden_state": hidden}
        for k, v in probes.items():
            t5_gold["dbg." + k] = v
        for row in range(2):
            t5_gold[f"context.{row}"] = hidden[row, : int(mask[row].sum())]
        golden["t5_encoder"] = t5_gold

        # ---- DiT forward, two cases
        dit_gold = {}
        for case, (tval, clen) in enumerate(zip((999, 437), p["ctx_lens"])):
            x = rnd(*lat)
            ctx = rnd(clen, p["t5"]["dim"])
            t = torch.tensor([tval], dtype=torch.long)
            probes = {}
            orig = wan_model.sinusoidal_embedding_1d

            def sinus(dim, pos):
                out = orig(dim, pos)
                probes["time_sinusoid"] = out.float() if dtype == torch.float32 else out
                return out
            wan_model.sinusoidal_embedding_1d = sinus
            hooks = [dit.time_embedding.register_forward_hook(lambda m, i, o: probes.__setitem__("time_embedding", o)),
                     dit.time_projection.register_forward_hook(lambda m, i, o: probes.__setitem__("time_projection", o)),
                     dit.text_embedding.register_forward_hook(lambda m, i, o: probes.__setitem__("text_embedding", o)),
                     dit.patch_embedding.register_forward_hook(lambda m, i, o: probes.__setitem__("patch_embedding", o)),
                     dit.head.register_forward_hook(lambda m, i, o: probes.__setitem__("head", o))]
            for i, blk in enumerate(dit.blocks):
                hooks.append(blk.register_forward_hook(lambda m, inp, o, i=i: probes.__setitem__(f"blocks.{i}", o)))
            out = dit([x], t=t, context=[ctx], seq_len=seq_len)[0]
            wan_model.sinusoidal_embedding_1d = orig
            for h in hooks:
                h.remove()
            c = f"case{case}."
            dit_gold.update({c + "x": x, c + "t": t, c + "context": ctx, c + "out": out,
                             c + "seq_len": torch.tensor([seq_len], dtype=torch.long)})
            for k, v in probes.items():
                dit_gold[c + "dbg." + k] = v
        golden["dit_forward"] = dit_gold

        # ---- VAE through the official WanVAE wrapper (real 16-channel latent statistics)
        vae = object.__new__(wan_vae.WanVAE)
        proto_mean = [-0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508,
                      0.4134, -0.0715, 0.5517, -0.3632, -0.1922, -0.9497, 0.2503, -0.2921]
        proto_std = [2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743,
                     3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.9160]
        vae.dtype, vae.device = dtype, "cpu"
        vae.mean = torch.tensor(proto_mean, dtype=dtype)
        vae.std = torch.tensor(proto_std, dtype=dtype)
        vae.scale = [vae.mean, 1.0 / vae.std]
        vae.model = vae_net
        latents = rnd(*lat)
        probes = {}
        hk = vae_net.conv2.register_forward_hook(lambda m, i, o: probes.__setitem__("post_quant_conv_out", o))
        video = vae.decode([latents])[0]
        hk.remove()
        unclamped = vae_net.decode(latents.unsqueeze(0), vae.scale).squeeze(0)
        golden["vae_decode"] = {"latents": latents, "video": video, "video_unclamped": unclamped,
                                "latents_denormalized": latents / vae.scale[1].view(16, 1, 1, 1) + vae.mean.view(16, 1, 1, 1),
                                "latents_mean": vae.mean, "latents_std": vae.std,
                                "dbg.post_quant_conv_out": probes["post_quant_conv_out"].squeeze(0)}
        # a smooth random pattern plus noise in [-1, 1]
        tt, yy, xx = torch.meshgrid(torch.arange(F, dtype=dtype), torch.arange(H, dtype=dtype),
                                    torch.arange(W, dtype=dtype), indexing="ij")
        phase = rnd(3, 3)
        clip = torch.stack([torch.sin(xx * 0.11 * (1 + phase[c, 0].abs()) + yy * 0.07 * phase[c, 1] + tt * 0.3 * phase[c, 2])
                            for c in range(3)])
        clip = (0.8 * clip + 0.2 * rnd(3, F, H, W)).clamp(-1, 1)
        probes = {}
        hk = vae_net.conv1.register_forward_hook(lambda m, i, o: probes.__setitem__("quant_conv_out", o))
        z = vae.encode([clip])[0]
        hk.remove()
        q = probes["quant_conv_out"].squeeze(0)
        golden["vae_encode"] = {"video": clip, "latents": z, "mu_unnormalized": q[:16], "dbg.quant_conv_out": q}

        # ---- scheduler trace with stored fake model outputs
        sched = FlowUniPCMultistepScheduler(num_train_timesteps=1000, shift=1, use_dynamic_shifting=False)
        sched.set_timesteps(p["steps"], device="cpu", shift=p["shift"])
        sample = rnd(1, *lat)
        sg = {"sample_in": sample, "timesteps": sched.timesteps.long(), "sigmas": sched.sigmas.float()}
        orders, corrected = [], []
        for i, t in enumerate(sched.timesteps):
            mo = rnd(1, *lat)
            corrected.append(int(sched.step_index is not None and sched.step_index > 0
                                 and sched.last_sample is not None))
            sample = sched.step(mo, t, sample, return_dict=False)[0]
            orders.append(sched.this_order)
            sg[f"model_output.{i}"] = mo
            sg[f"sample.{i}"] = sample
        sg["this_order"] = torch.tensor(orders, dtype=torch.long)
        sg["corrector_used"] = torch.tensor(corrected, dtype=torch.long)
        golden["scheduler_unipc"] = sg

        # ---- WanT2V.generate end to end (official method; recorders around model, scheduler and VAE)
        tok = toks.HuggingfaceTokenizer(seq_len=text_len)
        pids, pmask = tok([PROMPT], return_mask=True)
        nids, nmask = tok([NEGATIVE], return_mask=True)
        enc = object.__new__(wan_t5.T5EncoderModel)
        enc.text_len, enc.dtype, enc.device, enc.model, enc.tokenizer = text_len, dtype, "cpu", t5, tok
        pipe = object.__new__(text2video.WanT2V)
        pipe.device = torch.device("cpu")
        pipe.config = None
        pipe.rank, pipe.t5_cpu, pipe.num_train_timesteps, pipe.param_dtype = 0, False, 1000, dtype
        pipe.text_encoder, pipe.vae_stride, pipe.patch_size, pipe.vae = enc, (4, 8, 8), (1, 2, 2), vae
        pipe.sp_size, pipe.sample_neg_prompt = 1, NEGATIVE
        trace = {}
        calls = []
        pipe.model = common.ModelRecorder(dit, calls)
        step_orig = FlowUniPCMultistepScheduler.step
        step_no = [0]

        def step(self, model_output, timestep, sample, return_dict=True, generator=None):
            res = step_orig(self, model_output, timestep, sample, return_dict=return_dict, generator=generator)
            k = step_no[0]
            (x, t, ctx_c, cond), (_, _, ctx_u, uncond) = calls[-2], calls[-1]
            trace.update({f"step{k}.latent_in": x, f"step{k}.t": t.long().view(1), f"step{k}.noise_pred_cond": cond,
                          f"step{k}.noise_pred_uncond": uncond, f"step{k}.noise_pred": model_output.squeeze(0),
                          f"step{k}.latent_out": res[0].squeeze(0)})
            trace["context"], trace["context_null"] = ctx_c, ctx_u
            trace["timesteps"], trace["sigmas"] = self.timesteps.long(), self.sigmas.float()
            step_no[0] += 1
            return res
        FlowUniPCMultistepScheduler.step = step
        decoded = []
        dec_orig = vae.decode

        def decode(zs):
            decoded.append(zs[0])
            return dec_orig(zs)
        vae.decode = decode
        seed_g = torch.Generator().manual_seed(p["seed"])
        noise = torch.randn(*lat, dtype=torch.float32, generator=seed_g)
        video = pipe.generate(PROMPT, size=p["size"], frame_num=F, shift=p["shift"], sample_solver="unipc",
                              sampling_steps=p["steps"], guide_scale=p["guide"], n_prompt=NEGATIVE,
                              seed=p["seed"], offload_model=False)
        FlowUniPCMultistepScheduler.step = step_orig
        trace.update({"prompt.input_ids": pids, "prompt.attention_mask": pmask, "negative.input_ids": nids,
                      "negative.attention_mask": nmask, "noise": noise, "seed": torch.tensor([p["seed"]]),
                      "shift": torch.tensor([p["shift"]], dtype=torch.float32),
                      "guide_scale": torch.tensor([p["guide"]], dtype=torch.float32),
                      "seq_len": torch.tensor([seq_len]), "latent_final": decoded[0], "video": video})
        assert torch.equal(trace["step0.latent_in"].float(), noise), "the official noise is not the stored noise"
        golden["t2v_e2e"] = trace

    golden = {f: {k: (v.float() if v.is_floating_point() else v) for k, v in t.items()} for f, t in golden.items()}
    write_set(args, p, dit_cfg, t5_cfg, vae_cfg, weights, golden, lat, seq_len)
    shutil.rmtree(work)


def write_set(args, p, dit_cfg, t5_cfg, vae_cfg, weights, golden, lat, seq_len):
    out, tpl = args.out, args.template
    os.makedirs(out, exist_ok=True)
    for name, tensors in golden.items():
        common.save_safetensors(tensors, os.path.join(out, "golden", name + ".safetensors"))
    # official names
    common.save_safetensors(weights["transformer"], os.path.join(out, "official/transformer.safetensors"))
    common.save_safetensors(weights["text_encoder"], os.path.join(out, "official/text_encoder.safetensors"))
    common.save_safetensors(weights["vae"], os.path.join(out, "official/vae.safetensors"))
    # key maps, generalised from the shared set's maps (made by diffusers' converter)
    maps = common.key_maps(tpl, weights)
    for comp, m in maps.items():
        common.write_json(os.path.join(out, "key_maps", comp + ".json"), m)
    common.save_safetensors(common.rename(weights["transformer"], maps["transformer"]),
                            os.path.join(out, "transformer/diffusion_pytorch_model.safetensors"), {"format": "pt"})
    common.save_safetensors(common.rename(weights["vae"], maps["vae"]),
                            os.path.join(out, "vae/diffusion_pytorch_model.safetensors"), {"format": "pt"})
    common.save_safetensors(common.rename(weights["text_encoder"], maps["text_encoder"]),
                            os.path.join(out, "text_encoder/model.safetensors"), {"format": "pt"})
    # configs: the shared set's files with this set's sizes
    common.write_diffusers_configs(tpl, out, p, base_dim=p["vae_dim"])

    with open(os.path.join(tpl, "manifest.json")) as f:
        tm = json.load(f)
    e2e = golden["t2v_e2e"]
    manifest = {
        "name": args.name or os.path.basename(os.path.normpath(out)),
        "produced_by": dict(tm["produced_by"], reference_implementation=dict(
            tm["produced_by"]["reference_implementation"], files=FILES + ["wan/modules/attention.py and wan/modules/tokenizers.py replaced (shims)"]),
            runtime=f"CPU, torch {torch.__version__} (Debian python3-torch), "
                            f"Python {sys.version.split()[0]}, torch.set_num_threads(1), float32",
                            tool=f"local-engine/tools/golden/make_wan21.py --preset {args.preset}"),
        "dtype": "float32 (ids/timesteps int64)",
        "config": {
            "official": {"WanModel": dict(dit_cfg, patch_size=list(dit_cfg["patch_size"]),
                                          window_size=list(dit_cfg["window_size"])),
                         "T5Encoder": t5_cfg, "WanVAE_": vae_cfg},
            "pipeline": {"frame_num": p["frame_num"], "size_wh": list(p["size"]), "latent_shape_cfhw": list(lat),
                         "seq_len": seq_len, "text_len": p["text_len"], "shift": p["shift"],
                         "sample_steps": p["steps"], "guide_scale": p["guide"], "sample_solver": "unipc",
                         "num_train_timesteps": 1000, "vae_stride": [4, 8, 8],
                         "timesteps": e2e["timesteps"].tolist(),
                         "sigmas": [round(s, 6) for s in e2e["sigmas"].tolist()],
                         "prompt": PROMPT, "negative_prompt": NEGATIVE},
            "seeds": {"dit": p["seeds_base"] + 1, "t5": p["seeds_base"] + 2, "vae": p["seeds_base"] + 3,
                      "inputs": p["seeds_base"] + 10, "e2e": p["seed"]},
        },
        "files": common.files_table(out, {k: v.get("description") for k, v in tm["files"].items()
                                          if isinstance(v, dict) and v.get("description")}),
    }
    common.write_json(os.path.join(out, "manifest.json"), manifest)


if __name__ == "__main__":
    main()
