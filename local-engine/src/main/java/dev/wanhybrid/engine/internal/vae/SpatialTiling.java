package dev.wanhybrid.engine.internal.vae;

import dev.wanhybrid.engine.internal.torch.Torch;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Decoding a large frame in overlapping spatial tiles, so the decoder's activations are those of one tile
 * rather than of the whole frame (the activations, not the weights, are what a 720p decode runs out of).
 *
 * <p>Each tile is decoded on its own (every latent frame, with its own causal cache) and its pixels are added
 * to the output with a weight that ramps linearly across the overlap with each neighbouring tile and is 1 in the
 * tile's own region and at the frame's border; the sum is divided by the summed weights. The decoder's mid-block
 * attention and the zero padding at a tile's edges see only the tile, so a tiled decode is close to, not equal
 * to, a whole-frame decode (as with Diffusers' {@code enable_tiling()}); at and below Wan 2.1's 480p the
 * default does not tile, so parity with the official code there is untouched.
 *
 * @param tile tile side in latent cells (0: never tile)
 * @param overlap cells shared by neighbouring tiles
 */
public record SpatialTiling(int tile, int overlap) {

    /** Never tile. */
    public static final SpatialTiling NONE = new SpatialTiling(0, 0);

    /** Tiles of 48 x 48 latent cells (384 px in Wan 2.1's output), 8 cells (64 px) shared with each neighbour. */
    public static final SpatialTiling DEFAULT = new SpatialTiling(48, 8);

    /** Latent cells per frame above which {@link #auto} tiles: Wan 2.1's 480p, 60 x 104 cells (832 x 480). */
    public static final long AUTO_ABOVE_CELLS = 60L * 104;

    public SpatialTiling {
        if (tile < 0 || overlap < 0 || (tile > 0 && overlap * 2 >= tile)) {
            throw new IllegalArgumentException("a tile of " + tile + " cells cannot overlap its neighbours by "
                    + overlap);
        }
    }

    /** {@link #DEFAULT} for frames larger than Wan 2.1's 480p, else {@link #NONE}. */
    public static SpatialTiling auto(long height, long width) {
        return height * width > AUTO_ABOVE_CELLS ? DEFAULT : NONE;
    }

    /** Whether a latent frame of this size is split into more than one tile. */
    public boolean splits(long height, long width) {
        return tile > 0 && (height > tile || width > tile);
    }

    /** Tile starts along one axis of {@code length} cells: every {@code tile - overlap}, the last flush with the end. */
    List<Long> starts(long length) {
        List<Long> starts = new ArrayList<>();
        if (length <= tile) {
            starts.add(0L);
            return starts;
        }
        long stride = tile - overlap;
        for (long s = 0; s + tile < length; s += stride) {
            starts.add(s);
        }
        starts.add(length - tile);
        return starts;
    }

    /**
     * Decodes {@code x} {@code [B, C, F, H, W]} tile by tile with {@code decodeTile} (which returns the tile's
     * decoded video on the CPU, {@code scale} times larger in height and width), blending the overlaps.
     */
    Tensor decode(Tensor x, TileDecoder decodeTile, DecodeProgress progress) {
        long height = x.size(3);
        long width = x.size(4);
        List<Long> rows = starts(height);
        List<Long> cols = starts(width);
        int tiles = rows.size() * cols.size();
        Tensor sum = null;
        Tensor weights = null;
        int index = 0;
        try {
            for (long top : rows) {
                for (long left : cols) {
                    long th = Math.min(tile, height - top);
                    long tw = Math.min(tile, width - left);
                    int done = index;
                    try (PointerScope scope = new PointerScope()) {
                        Tensor decoded = decodeTile.decode(x.narrow(3, top, th).narrow(4, left, tw),
                                (chunk, chunks) -> progress.chunkDecoded(done * chunks + chunk, tiles * chunks));
                        long scale = decoded.size(3) / th;
                        if (sum == null) {
                            long[] shape = Torch.shape(decoded);
                            shape[3] = height * scale;
                            shape[4] = width * scale;
                            sum = Torch.keep(Torch.zeros(ScalarType.Float, shape));
                            weights = Torch.keep(Torch.zeros(ScalarType.Float, 1, 1, 1, shape[3], shape[4]));
                        }
                        Tensor mask = ramp(th * scale, overlap * scale, top > 0, top + th < height).view(-1, 1)
                                .mul(ramp(tw * scale, overlap * scale, left > 0, left + tw < width).view(1, -1))
                                .view(1, 1, 1, th * scale, tw * scale);
                        sum.narrow(3, top * scale, th * scale).narrow(4, left * scale, tw * scale)
                                .add_(decoded.mul(mask));
                        weights.narrow(3, top * scale, th * scale).narrow(4, left * scale, tw * scale).add_(mask);
                    }
                    index++;
                }
            }
            return sum.div(weights);
        } finally {
            Torch.drop(sum);
            Torch.drop(weights);
        }
    }

    /**
     * Per-pixel weights along one axis of a tile: rising from about 0 to 1 over the first {@code overlap} pixels
     * when a tile lies before this one, falling likewise over the last ones when a tile lies after it, 1 elsewhere.
     */
    static Tensor ramp(long length, long overlap, boolean before, boolean after) {
        float[] w = new float[(int) length];
        for (int i = 0; i < length; i++) {
            float up = before && i < overlap ? (i + 1f) / (overlap + 1f) : 1f;
            float down = after && i >= length - overlap ? (length - i) / (overlap + 1f) : 1f;
            w[i] = Math.min(up, down);
        }
        return Torch.fromFloats(w, length);
    }

    /** Decodes one tile of latents to video on the CPU, reporting its temporal chunks. */
    @FunctionalInterface
    interface TileDecoder {
        Tensor decode(Tensor latents, DecodeProgress progress);
    }
}
