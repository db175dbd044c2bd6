package dev.wanhybrid.gateway.database;

import java.lang.reflect.Field;
import java.util.BitSet;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;

/**
 * How much of an open H2 file is in use, for the footprint tests. H2 has no public figure for it: its fill rate
 * ({@code FileStore.getFillRate}) is relative to the end of the last used block, not to the file, so after a
 * retention sweep that leaves only the first chunks it reads 100% of a file that is mostly free. This reads the
 * store's own free-space map (the blocks it counts as allocated, header included) by reflection; it is a test's
 * measuring instrument, read while the store is quiet, never part of the gateway.
 */
public final class H2Space {

    /** H2's file block, the unit that chunks are allocated in. */
    static final int BLOCK_SIZE = 4096;

    private H2Space() {
    }

    /** Bytes of the file allocated to the header and to chunks (dead ones count until H2 frees them). */
    public static long usedBytes(H2FileHousekeeping housekeeping) {
        MVStore store = housekeeping.store();
        try {
            Field freeSpace = RandomAccessStore.class.getDeclaredField("freeSpace");
            freeSpace.setAccessible(true);
            Object bitSet = freeSpace.get(store.getFileStore());
            Field set = bitSet.getClass().getDeclaredField("set");
            set.setAccessible(true);
            return (long) ((BitSet) set.get(bitSet)).cardinality() * BLOCK_SIZE;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("H2's free-space map is not where this H2 version keeps it", e);
        }
    }

    /**
     * The store's chunks as H2 counts them, for a benchmark's diagnosis: how many, the blocks they take, their
     * pages' lengths and the live share of those, and how many take a single block.
     */
    public static String chunks(H2FileHousekeeping housekeeping) {
        MVStore store = housekeeping.store();
        try {
            Field chunksField = org.h2.mvstore.FileStore.class.getDeclaredField("chunks");
            chunksField.setAccessible(true);
            java.util.Map<?, ?> chunks = (java.util.Map<?, ?>) chunksField.get(store.getFileStore());
            long blocks = 0;
            long maxLen = 0;
            long live = 0;
            int single = 0;
            int dead = 0;
            for (Object o : chunks.values()) {
                org.h2.mvstore.Chunk<?> c = (org.h2.mvstore.Chunk<?>) o;
                blocks += c.len;
                maxLen += c.maxLen;
                live += c.maxLenLive;
                single += c.len == 1 ? 1 : 0;
                dead += c.maxLenLive == 0 ? 1 : 0;
            }
            return String.format(java.util.Locale.ROOT,
                    "%d chunks (%d of one block, %d without live pages), %.1f MB of blocks, pages %.1f MB, live %.1f MB",
                    chunks.size(), single, dead, blocks * (double) BLOCK_SIZE / 1e6, maxLen / 1e6, live / 1e6);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("H2's chunk map is not where this H2 version keeps it", e);
        }
    }
}
