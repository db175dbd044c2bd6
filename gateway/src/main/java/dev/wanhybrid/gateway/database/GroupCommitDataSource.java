package dev.wanhybrid.gateway.database;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A data source whose connections return from a commit only once {@link H2GroupCommit} has written it to the file:
 * {@code commit()}, {@code setAutoCommit(true)} on a transaction, and in auto-commit mode every statement that may
 * change data ({@code execute*} other than {@code executeQuery}). A connection that has changed nothing since its
 * last commit does not wait, so reads never queue behind writes.
 *
 * <p>Everything else is the delegate's: {@code unwrap} and {@code isWrapperFor} reach the pool's and H2's own
 * connection, which therefore bypass the wait (as {@link H2FileHousekeeping} does, which only reads the store).
 */
public final class GroupCommitDataSource extends DelegatingDataSource implements AutoCloseable {

    private final H2GroupCommit groupCommit;

    public GroupCommitDataSource(DataSource delegate, H2GroupCommit groupCommit) {
        super(delegate);
        this.groupCommit = groupCommit;
    }

    /**
     * The data source with group commit in front of it when it is an embedded H2 file (the store's write delay is
     * then H2's default, see {@link H2GroupCommit}); any other data source as it is.
     *
     * @param interval the least time between two shared writes
     */
    public static DataSource over(DataSource dataSource, Duration interval) {
        return H2FileHousekeeping.fileStoreOf(dataSource)
                .<DataSource>map(store -> new GroupCommitDataSource(dataSource, new H2GroupCommit(store, interval)))
                .orElse(dataSource);
    }

    /** The group commit its connections wait for. */
    public H2GroupCommit groupCommit() {
        return groupCommit;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(super.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(super.getConnection(username, password));
    }

    /** Closes the delegate (a pool), as the container would have closed it unwrapped. */
    @Override
    public void close() throws Exception {
        if (getTargetDataSource() instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    private Connection wrap(Connection connection) {
        groupCommit.takeOverWrites();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new ConnectionHandler(connection));
    }

    /** Tracks whether the connection changed data since its last commit, and waits at commit when it did. */
    private final class ConnectionHandler implements InvocationHandler {
        private final Connection target;
        private boolean changed;

        ConnectionHandler(Connection target) {
            this.target = target;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "toString" -> {
                    return "GroupCommit(" + target + ")";
                }
                case "commit" -> {
                    invokeOn(target, method, args);
                    committed();
                    return null;
                }
                case "setAutoCommit" -> {
                    // JDBC commits the transaction in progress when auto-commit is switched on.
                    boolean commits = (Boolean) args[0] && !target.getAutoCommit();
                    invokeOn(target, method, args);
                    if (commits) {
                        committed();
                    }
                    return null;
                }
                case "rollback" -> {
                    Object result = invokeOn(target, method, args);
                    if (args == null) {
                        changed = false;
                    }
                    return result;
                }
                default -> {
                    Object result = invokeOn(target, method, args);
                    if (result instanceof Statement statement && !name.equals("unwrap")) {
                        return wrapStatement(statement, (Connection) proxy);
                    }
                    return result;
                }
            }
        }

        private void committed() {
            if (changed) {
                changed = false;
                groupCommit.awaitWritten();
            }
        }

        private Statement wrapStatement(Statement statement, Connection proxyConnection) {
            Class<?>[] interfaces = statement instanceof java.sql.CallableStatement
                    ? new Class<?>[] {java.sql.CallableStatement.class}
                    : statement instanceof java.sql.PreparedStatement
                            ? new Class<?>[] {java.sql.PreparedStatement.class}
                            : new Class<?>[] {Statement.class};
            return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), interfaces,
                    (proxy, method, args) -> {
                        String name = method.getName();
                        if (name.equals("getConnection")) {
                            return proxyConnection;
                        }
                        if (name.equals("equals")) {
                            return proxy == args[0];
                        }
                        if (name.equals("hashCode")) {
                            return System.identityHashCode(proxy);
                        }
                        Object result = invokeOn(statement, method, args);
                        if (name.startsWith("execute") && !name.equals("executeQuery")) {
                            changed = true;
                            if (target.getAutoCommit()) {
                                committed();
                            }
                        }
                        return result;
                    });
        }
    }

    private static Object invokeOn(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
