package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.routing.CloudLatencyTracker;
import dev.wanhybrid.gateway.routing.LatencyObservations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/** Feeds routing's cloud latency model from the cloud jobs every instance finished: model, length, time taken. */
@Component
public class JobLatencySource implements CloudLatencyTracker.Source {

    private final JobQueries jobs;
    private final int limit;

    /** Reads the latest 500 jobs per refresh. */
    @Autowired
    public JobLatencySource(JobQueries jobs) {
        this(jobs, 500);
    }

    /** @param limit the most recent jobs read per refresh */
    public JobLatencySource(JobQueries jobs, int limit) {
        this.jobs = jobs;
        this.limit = limit;
    }

    @Override
    public List<LatencyObservations.Observation> finishedSince(Instant since) {
        return jobs.completedSince(Backend.CLOUD.id(), since, limit).stream()
                .map(j -> new LatencyObservations.Observation(j.completedAt(), j.model(),
                        Duration.between(j.createdAt(), j.completedAt()), j.seconds()))
                .toList();
    }
}
