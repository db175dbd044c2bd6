package dev.wanhybrid.gateway.budget;

import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;

/** The ledger contract on H2, the embedded default, one fresh in-memory database per test. */
class SpendLedgerOnH2Test extends SpendLedgerContract {

    private static final AtomicInteger databases = new AtomicInteger();

    @Override
    LedgerFixture fixture(ZoneId zone, BudgetProperties.Degrade degrade) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:ledger" + databases.incrementAndGet() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=60000");
        ds.setUser("sa");
        return new LedgerFixture(ds, zone, degrade);
    }
}
