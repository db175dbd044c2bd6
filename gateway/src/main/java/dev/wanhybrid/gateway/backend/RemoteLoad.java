package dev.wanhybrid.gateway.backend;

import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * A remote self-hosted server's load and GPU economics at one instant, as routing sees it: its queue (outstanding
 * jobs against its concurrency), how long a clip takes there (measured, else configured) and what that GPU time
 * costs. Implementations are immutable snapshots, so the pure router may call them freely.
 */
public interface RemoteLoad {

    /** Outstanding jobs (queued and running at the server), its concurrency and the wait of a job added now. */
    LocalQueueState queue();

    /**
     * The expected service time of one clip on this server, without queueing: measured on this server for the same
     * model, size and length (frames; the model's configured steps), else the model's configured time per second.
     */
    Duration serviceTime(String model, VideoSize size, int seconds);

    /** What {@code serviceTime} on this server costs: its GPUs behind one job, at the cost model's marginal rate. */
    BigDecimal usdFor(Duration serviceTime);

    /** What measured GPU-seconds on this server cost, in US dollars (settlement). */
    BigDecimal usdForGpuSeconds(BigDecimal gpuSeconds);

    /** A backend that reports its load to routing; remote servers do, the in-JVM engine reports through LocalCapacity. */
    interface Source {
        RemoteLoad load();
    }
}
