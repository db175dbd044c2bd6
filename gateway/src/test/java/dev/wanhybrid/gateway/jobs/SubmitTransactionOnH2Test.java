package dev.wanhybrid.gateway.jobs;

import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** The submission's one transaction on the embedded H2 store. */
class SubmitTransactionOnH2Test extends SubmitTransactionContract {

    @Override
    int autoMaxGroup() {
        // H2: each submission in a commit of its own.
        return 1;
    }

    @Override
    DataSource database() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:submit-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return dataSource;
    }
}
