package dev.wanhybrid.cost.routing;

/**
 * The local work that arrived recently, with what each job saves per GPU-second against the cloud: the shadow
 * price reads from it how much better-paying work to expect while a GPU is taken.
 *
 * <p>Every routing decision asks it once per local option, so the question "how much work above this density"
 * is answered in O(log n): the arrivals are kept twice, in arrival order (a ring, for eviction) and in a treap
 * ordered by density whose nodes carry their subtree's GPU-seconds and density-weighted GPU-seconds. Recording
 * and evicting an arrival are O(log n) as well, so the window's size does not slow a decision.
 *
 * <p>Not thread-safe: its owner serialises access, as for {@link LocalSchedule}.
 */
public final class DemandWindow {

    /** The default window: the last two hours of arrivals. */
    public static final double DEFAULT_WINDOW_SECONDS = 7200;

    /** The default cap on remembered arrivals, so a burst cannot make the memory grow without bound. */
    public static final int DEFAULT_MAX_ARRIVALS = 4096;

    /**
     * Work arriving above a density.
     *
     * @param gpus GPU-seconds of such work arriving per second: how many GPUs it keeps busy
     * @param meanDensity its saving per GPU-second, weighted by GPU-seconds; 0 when there is none
     */
    public record Above(double gpus, double meanDensity) {}

    private static final int NONE = -1;

    private final double windowSeconds;
    private final int maxArrivals;

    // Node i of the treap is the arrival in ring slot i: its arrival time, density and GPU-seconds, its children,
    // its heap priority and the sums over its subtree.
    private final double[] at;
    private final double[] density;
    private final double[] gpuSeconds;
    private final int[] left;
    private final int[] right;
    private final int[] priority;
    private final double[] work;
    private final double[] weighted;
    private int root = NONE;
    private int head;
    private int size;
    private int seed = 0x2545F491;

    public DemandWindow() {
        this(DEFAULT_WINDOW_SECONDS, DEFAULT_MAX_ARRIVALS);
    }

    public DemandWindow(double windowSeconds, int maxArrivals) {
        if (!(windowSeconds > 0) || maxArrivals <= 0) {
            throw new IllegalArgumentException("window and arrivals must be positive");
        }
        this.windowSeconds = windowSeconds;
        this.maxArrivals = maxArrivals;
        this.at = new double[maxArrivals];
        this.density = new double[maxArrivals];
        this.gpuSeconds = new double[maxArrivals];
        this.left = new int[maxArrivals];
        this.right = new int[maxArrivals];
        this.priority = new int[maxArrivals];
        this.work = new double[maxArrivals];
        this.weighted = new double[maxArrivals];
    }

    /** Records a job that could run locally, with its saving per GPU-second and its GPU-seconds. */
    public void record(double now, double density, double gpuSeconds) {
        evict(now);
        if (size == maxArrivals) {
            removeOldest();
        }
        int slot = (head + size) % maxArrivals;
        this.at[slot] = now;
        this.density[slot] = density;
        this.gpuSeconds[slot] = gpuSeconds;
        this.left[slot] = NONE;
        this.right[slot] = NONE;
        this.priority[slot] = nextPriority();
        pull(slot);
        root = insert(root, slot);
        size++;
    }

    /** The work that arrived in the window and pays more per GPU-second than {@code density}. */
    public Above above(double now, double density) {
        evict(now);
        double sumWork = 0;
        double sumWeighted = 0;
        int node = root;
        while (node != NONE) {
            if (this.density[node] > density) {
                // This node and its whole right subtree pay more; the left subtree may hold more of them.
                int r = right[node];
                sumWork += gpuSeconds[node] + (r == NONE ? 0 : work[r]);
                sumWeighted += gpuSeconds[node] * this.density[node] + (r == NONE ? 0 : weighted[r]);
                node = left[node];
            } else {
                node = right[node];
            }
        }
        return sumWork == 0 ? new Above(0, 0) : new Above(sumWork / windowSeconds, sumWeighted / sumWork);
    }

    public int size() {
        return size;
    }

    private void evict(double now) {
        double oldest = now - windowSeconds;
        while (size > 0 && at[head] < oldest) {
            removeOldest();
        }
    }

    private void removeOldest() {
        root = remove(root, head);
        head = (head + 1) % maxArrivals;
        size--;
    }

    /** Orders nodes by density, then by slot, so equal densities still have one place. */
    private boolean before(int a, int b) {
        return density[a] < density[b] || (density[a] == density[b] && a < b);
    }

    private int insert(int node, int slot) {
        if (node == NONE) {
            return slot;
        }
        if (before(slot, node)) {
            left[node] = insert(left[node], slot);
            if (priority[left[node]] > priority[node]) {
                node = rotateRight(node);
            }
        } else {
            right[node] = insert(right[node], slot);
            if (priority[right[node]] > priority[node]) {
                node = rotateLeft(node);
            }
        }
        pull(node);
        return node;
    }

    private int remove(int node, int slot) {
        if (node == slot) {
            return merge(left[node], right[node]);
        }
        if (before(slot, node)) {
            left[node] = remove(left[node], slot);
        } else {
            right[node] = remove(right[node], slot);
        }
        pull(node);
        return node;
    }

    private int merge(int a, int b) {
        if (a == NONE) {
            return b;
        }
        if (b == NONE) {
            return a;
        }
        if (priority[a] > priority[b]) {
            right[a] = merge(right[a], b);
            pull(a);
            return a;
        }
        left[b] = merge(a, left[b]);
        pull(b);
        return b;
    }

    private int rotateRight(int node) {
        int l = left[node];
        left[node] = right[l];
        right[l] = node;
        pull(node);
        pull(l);
        return l;
    }

    private int rotateLeft(int node) {
        int r = right[node];
        right[node] = left[r];
        left[r] = node;
        pull(node);
        pull(r);
        return r;
    }

    /** Recomputes a node's subtree sums from its children (never by subtraction, so no rounding drift). */
    private void pull(int node) {
        double w = gpuSeconds[node];
        double wd = w * density[node];
        int l = left[node];
        int r = right[node];
        if (l != NONE) {
            w += work[l];
            wd += weighted[l];
        }
        if (r != NONE) {
            w += work[r];
            wd += weighted[r];
        }
        work[node] = w;
        weighted[node] = wd;
    }

    /** Xorshift: deterministic priorities, so a replay decides the same way every run. */
    private int nextPriority() {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return seed;
    }
}
