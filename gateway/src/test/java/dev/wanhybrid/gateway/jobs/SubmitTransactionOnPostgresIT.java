package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.e2e.support.FreshPostgresDatabases;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The submission's one transaction on a real PostgreSQL server, where any failed statement would abort the whole
 * transaction: a refused candidate must roll back to its savepoint only.
 */
class SubmitTransactionOnPostgresIT extends SubmitTransactionContract {

    private static FreshPostgresDatabases postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = new FreshPostgresDatabases("submit");
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    int autoMaxGroup() {
        // PostgreSQL: 64 submissions at most in one commit.
        return 64;
    }

    @Override
    DataSource database() {
        return postgres.fresh();
    }
}
