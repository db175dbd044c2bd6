package dev.wanhybrid.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDiskResultStoreTest {

    @TempDir
    Path root;

    private LocalDiskResultStore store() throws IOException {
        return new LocalDiskResultStore(root);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void aStoredObjectKeepsItsSizeAndChecksumAndReadsBackByRange() throws Exception {
        byte[] content = bytes(100_000);
        StoredObject stored = store().put("videos/video_1.mp4", new ByteArrayInputStream(content), 1_000_000);

        assertThat(stored.size()).isEqualTo(100_000);
        assertThat(stored.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        assertThat(store().stat("videos/video_1.mp4")).hasValueSatisfying(s -> assertThat(s.sha256()).isEqualTo(stored.sha256()));
        try (InputStream in = store().open("videos/video_1.mp4", 1000, 500)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 1000, 1500));
        }
        try (InputStream in = store().open("videos/video_1.mp4", 99_990, -1)) {
            assertThat(in.readAllBytes()).hasSize(10);
        }
    }

    @Test
    void anObjectOverTheLimitIsRefusedAndNothingIsKept() throws Exception {
        assertThatThrownBy(() -> store().put("videos/big.mp4", new ByteArrayInputStream(bytes(5000)), 4999))
                .isInstanceOf(ResultTooLargeException.class);
        assertThat(store().stat("videos/big.mp4")).isEmpty();
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void writingTheSameBytesAgainIsANoOpButDifferentBytesAreRefused() throws Exception {
        StoredObject first = store().put("videos/a.mp4", new ByteArrayInputStream(bytes(10)), 100);
        StoredObject again = store().put("videos/a.mp4", new ByteArrayInputStream(bytes(10)), 100);
        assertThat(again.sha256()).isEqualTo(first.sha256());
        assertThatThrownBy(() -> store().put("videos/a.mp4", new ByteArrayInputStream(bytes(11)), 100))
                .isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void keysThatCouldLeaveTheRootAreRefused() {
        for (String key : new String[] {"../escape", "/etc/passwd", "videos/../../x", "a//b", "", "videos/a b"}) {
            assertThatThrownBy(() -> store().stat(key)).as(key).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void deleteRemovesTheObjectAndItsChecksum() throws Exception {
        store().put("uploads/video_2/input.png", new ByteArrayInputStream(bytes(10)), 100);
        store().delete("uploads/video_2/input.png");
        assertThat(store().stat("uploads/video_2/input.png")).isEmpty();
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }
}
