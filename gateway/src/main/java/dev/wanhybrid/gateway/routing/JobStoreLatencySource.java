package dev.wanhybrid.gateway.routing;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** Reads finished cloud jobs from the job store ({@code jobs}): model, length, and created-to-completed time. */
public class JobStoreLatencySource implements CloudLatencyTracker.Source {

    private final JdbcTemplate jdbc;
    private final int limit;

    public JobStoreLatencySource(DataSource dataSource, int limit) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.limit = limit;
    }

    @Override
    public List<LatencyObservations.Observation> finishedSince(Instant since) {
        return jdbc.query("""
                SELECT model, seconds, created_at, completed_at FROM jobs
                WHERE backend = 'cloud' AND status = 'completed' AND completed_at >= ?
                ORDER BY completed_at DESC LIMIT ?""",
                (rs, n) -> {
                    Instant created = instant(rs, 3);
                    Instant completed = instant(rs, 4);
                    return new LatencyObservations.Observation(completed, rs.getString(1),
                            Duration.between(created, completed), rs.getInt(2));
                },
                since.atOffset(ZoneOffset.UTC), limit);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
