package dev.wanhybrid.engine.internal.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Spatial tiling of the VAE decode: where the tiles go, how they are blended, and what it does to a real decoder. */
class SpatialTilingTest {

    @Test
    void tilesCoverEveryAxisWithAtLeastTheOverlapBetweenNeighbours() {
        for (SpatialTiling tiling : List.of(new SpatialTiling(16, 4), new SpatialTiling(7, 3), SpatialTiling.DEFAULT)) {
            for (long length = 1; length <= 250; length++) {
                List<Long> starts = tiling.starts(length);
                assertThat(starts.get(0)).isZero();
                long last = starts.get(starts.size() - 1);
                assertThat(last + Math.min(tiling.tile(), length)).as("%s over %d", tiling, length).isEqualTo(length);
                for (int i = 1; i < starts.size(); i++) {
                    long shared = starts.get(i - 1) + tiling.tile() - starts.get(i);
                    assertThat(shared).as("%s over %d, tile %d", tiling, length, i).isGreaterThanOrEqualTo(
                            tiling.overlap()).isLessThan(tiling.tile());
                }
            }
        }
        assertThatThrownBy(() -> new SpatialTiling(8, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyFramesAbove480pAreTiledByDefault() {
        assertThat(SpatialTiling.auto(60, 104)).isEqualTo(SpatialTiling.NONE); // Wan 2.1 480p, 832 x 480
        assertThat(SpatialTiling.auto(90, 160)).isEqualTo(SpatialTiling.DEFAULT); // 720p, 1280 x 720
        assertThat(SpatialTiling.NONE.splits(1000, 1000)).isFalse();
        assertThat(SpatialTiling.DEFAULT.splits(48, 48)).isFalse();
        assertThat(SpatialTiling.DEFAULT.splits(48, 49)).isTrue();
    }

    /**
     * A pointwise "decoder" (nearest upscale of a pointwise function) gives every tile exactly the pixels the
     * whole frame has there, so blending must reproduce the whole-frame result exactly, wherever the seams fall.
     */
    @Test
    void blendingReproducesAPointwiseDecoderExactly() {
        Random random = new Random(7);
        for (int round = 0; round < 12; round++) {
            long height = 1 + random.nextInt(70);
            long width = 1 + random.nextInt(70);
            int tile = 4 + random.nextInt(20);
            SpatialTiling tiling = new SpatialTiling(tile, random.nextInt((tile - 1) / 2 + 1));
            long frames = 1 + random.nextInt(3);
            float[] values = new float[(int) (2 * 3 * frames * height * width)];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            Tensor latents = Torch.fromFloats(values, 2, 3, frames, height, width);
            List<int[]> reported = new ArrayList<>();
            Tensor tiled = tiling.decode(latents, (x, progress) -> {
                progress.chunkDecoded(1, 1);
                return pointwise(x);
            }, (done, total) -> reported.add(new int[] {done, total}));

            assertThat(Torch.shape(tiled)).containsExactly(2, 3, frames, height * 2, width * 2);
            assertThat(Torch.maxAbsDiff(tiled, pointwise(latents))).as("%s on %dx%d", tiling, height, width)
                    .isLessThan(1e-5);
            int tiles = tiling.starts(height).size() * tiling.starts(width).size();
            assertThat(reported).hasSize(tiles);
            assertThat(reported.get(reported.size() - 1)).containsExactly(tiles, tiles);
        }
    }

    private static Tensor pointwise(Tensor x) {
        return Torch.clamp(x.mul(Torch.s(0.7)).add(Torch.s(0.1)), -1.5, 1.5)
                .repeat_interleave(2, new org.bytedeco.pytorch.LongOptional(3), new org.bytedeco.pytorch.LongOptional())
                .repeat_interleave(2, new org.bytedeco.pytorch.LongOptional(4), new org.bytedeco.pytorch.LongOptional());
    }

    /**
     * The Wan 2.1 decoder of every fixture set, tiled against whole-frame: same shape, every pixel finite and in
     * range, and close on average (tiles see only themselves in the mid-block attention and at their padded
     * edges, so not equal). Each set's own VAE width and frame count.
     */
    @Test
    void aTiledDecodeOfARealDecoderStaysCloseToTheWholeFrame() {
        for (FixtureSets.Set set : FixtureSets.wan21()) {
            WanVaeConfig config = WanVaeConfig.read(set.resolve("vae/config.json"));
            try (ComponentWeights weights = ComponentWeights.open(set.resolve("vae"));
                    WanVae vae = WanVae.load(config, weights, DType.F32)) {
                Random random = new Random(11);
                float[] values = new float[config.zDim() * 2 * 16 * 20];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) random.nextGaussian();
                }
                Tensor latents = Torch.fromFloats(values, 1, config.zDim(), 2, 16, 20);
                Tensor whole = vae.decode(latents, DecodeProgress.NONE, SpatialTiling.NONE);
                Tensor tiled = vae.decode(latents, DecodeProgress.NONE, new SpatialTiling(9, 3));

                assertThat(Torch.shape(tiled)).containsExactly(Torch.shape(whole));
                assertThat(tiled.isfinite().all().item_bool()).isTrue();
                double meanAbs = tiled.sub(whole).abs().mean().item_double();
                double spread = whole.std().item_double();
                System.out.printf("%s: tiled vs whole mean |diff| %.4f, output std %.4f, max |diff| %.4f%n", set,
                        meanAbs, spread, Torch.maxAbsDiff(tiled, whole));
                assertThat(meanAbs).as(set.name()).isLessThan(0.25 * spread);
            }
        }
    }
}
