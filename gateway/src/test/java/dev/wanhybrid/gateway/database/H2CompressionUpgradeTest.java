package dev.wanhybrid.gateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped H2 URL gained {@code COMPRESS=TRUE}: a gateway upgraded in place opens a file written without it. H2
 * marks each page as compressed or not, so the old pages must still read, new ones are written compressed, and the
 * file must open again afterwards, with either URL (an operator may roll back).
 */
class H2CompressionUpgradeTest {

    @TempDir
    Path dir;

    @Test
    void aFileWrittenWithoutCompressionStaysReadableOnceCompressionIsOn() throws SQLException {
        String plain = "jdbc:h2:file:" + dir.resolve("gateway") + ";WRITE_DELAY=0";
        String compressed = plain + ";COMPRESS=TRUE";
        String payload = "{\"prompt\":\"" + "a red fox runs through the snow at dawn ".repeat(40) + "\"}";
        try (Connection c = DriverManager.getConnection(plain, "sa", ""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE rows_ (id INT PRIMARY KEY, body VARCHAR(100000))");
            insert(c, 0, 500, payload);
            s.execute("SHUTDOWN");
        }
        try (Connection c = DriverManager.getConnection(compressed, "sa", ""); Statement s = c.createStatement()) {
            assertThat(count(s, payload)).isEqualTo(500);
            insert(c, 500, 1000, payload);
            s.execute("UPDATE rows_ SET body = body WHERE MOD(id, 3) = 0");
            assertThat(count(s, payload)).isEqualTo(1000);
            s.execute("SHUTDOWN");
        }
        for (String url : new String[] {compressed, plain}) {
            try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
                assertThat(count(s, payload)).as(url).isEqualTo(1000);
                s.execute("SHUTDOWN");
            }
        }
    }

    private static void insert(Connection c, int from, int to, String payload) throws SQLException {
        try (var insert = c.prepareStatement("INSERT INTO rows_ VALUES (?, ?)")) {
            for (int i = from; i < to; i++) {
                insert.setInt(1, i);
                insert.setString(2, payload);
                insert.executeUpdate();
            }
        }
    }

    /** Rows whose body reads back exactly as written. */
    private static int count(Statement s, String payload) throws SQLException {
        int matching = 0;
        try (ResultSet rows = s.executeQuery("SELECT body FROM rows_")) {
            while (rows.next()) {
                matching += payload.equals(rows.getString(1)) ? 1 : 0;
            }
        }
        return matching;
    }
}
