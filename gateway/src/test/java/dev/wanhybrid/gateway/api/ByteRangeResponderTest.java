package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.gateway.api.ByteRangeResponder.Span;
import dev.wanhybrid.gateway.storage.LocalDiskResultStore;
import dev.wanhybrid.gateway.storage.StoredObject;
import dev.wanhybrid.gateway.web.ApiException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** Which bytes a Range header selects, and the 200/206 answer that serves them; pinned as the API serves them. */
class ByteRangeResponderTest {

    @TempDir
    Path root;

    @Test
    void withoutARangeHeaderTheWholeObjectIsSent() {
        assertThat(ByteRangeResponder.span(null, 1000)).isEqualTo(new Span(0, 1000, false));
        assertThat(ByteRangeResponder.span(null, 0)).isEqualTo(new Span(0, 0, false));
    }

    @Test
    void anOpenEndedRangeRunsToTheEnd() {
        assertThat(ByteRangeResponder.span("bytes=0-", 1000)).isEqualTo(new Span(0, 1000, true));
        assertThat(ByteRangeResponder.span("bytes=990-", 1000)).isEqualTo(new Span(990, 10, true));
    }

    @Test
    void aClosedRangeIsInclusiveAndAnEndPastTheObjectIsCutToIt() {
        assertThat(ByteRangeResponder.span("bytes=100-199", 1000)).isEqualTo(new Span(100, 100, true));
        assertThat(ByteRangeResponder.span("bytes=999-999", 1000)).isEqualTo(new Span(999, 1, true));
        assertThat(ByteRangeResponder.span("bytes=900-5000", 1000)).isEqualTo(new Span(900, 100, true));
    }

    @Test
    void aSuffixRangeIsTheLastBytesAndALongerSuffixIsTheWholeObject() {
        assertThat(ByteRangeResponder.span("bytes=-500", 1000)).isEqualTo(new Span(500, 500, true));
        assertThat(ByteRangeResponder.span("bytes=-1", 1000)).isEqualTo(new Span(999, 1, true));
        assertThat(ByteRangeResponder.span("bytes=-5000", 1000)).isEqualTo(new Span(0, 1000, true));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "bytes=1000-", "bytes=1000-1999", "bytes=-0", // nothing inside the object
        "bytes=0-1,5-6", "bytes=0-1, 0-1", // more than one range, even the same one twice
        "bytes=5-1", "bytes=abc", "bytes=", "items=0-1", "0-1", "", // malformed
    })
    void anythingButOneRangeInsideTheObjectIs416(String range) {
        assertThatThrownBy(() -> ByteRangeResponder.span(range, 1000)).isInstanceOfSatisfying(ApiException.class,
                e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
                    assertThat(e.param()).isEqualTo("Range");
                    assertThat(e.code()).isEqualTo("range_not_satisfiable");
                    assertThat(e.getMessage()).isEqualTo("The Range header must name one range inside the 1000 bytes.");
                });
    }

    @Test
    void anEmptyObjectHasNoSatisfiableRange() {
        assertThatThrownBy(() -> ByteRangeResponder.span("bytes=0-", 0)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> ByteRangeResponder.span("bytes=-10", 0)).isInstanceOf(ApiException.class);
    }

    @Test
    void aRangeIsAnswered206WithItsContentRangeAndOnlyItsBytes() throws Exception {
        byte[] content = bytes(1000);
        ResponseEntity<StreamingResponseBody> answer = responder(content).respond(stored(), "bytes=100-199",
                MediaType.parseMediaType("video/mp4"), ContentDisposition.inline().filename("v.mp4").build());

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.PARTIAL_CONTENT);
        HttpHeaders headers = answer.getHeaders();
        assertThat(headers.headerNames()).containsExactly(HttpHeaders.ACCEPT_RANGES, HttpHeaders.ETAG,
                HttpHeaders.CONTENT_RANGE, HttpHeaders.CONTENT_LENGTH, HttpHeaders.CONTENT_TYPE,
                HttpHeaders.CONTENT_DISPOSITION);
        assertThat(headers.getFirst(HttpHeaders.ACCEPT_RANGES)).isEqualTo("bytes");
        assertThat(headers.getETag()).isEqualTo("\"" + stored().sha256() + "\"");
        assertThat(headers.getFirst(HttpHeaders.CONTENT_RANGE)).isEqualTo("bytes 100-199/1000");
        assertThat(headers.getContentLength()).isEqualTo(100);
        assertThat(headers.getFirst(HttpHeaders.CONTENT_TYPE)).isEqualTo("video/mp4");
        assertThat(headers.getFirst(HttpHeaders.CONTENT_DISPOSITION)).isEqualTo("inline; filename=\"v.mp4\"");
        assertThat(body(answer)).isEqualTo(Arrays.copyOfRange(content, 100, 200));
    }

    @Test
    void noRangeIsAnswered200WithTheWholeObjectAndNoContentRange() throws Exception {
        byte[] content = bytes(1000);
        ResponseEntity<StreamingResponseBody> answer = responder(content).respond(stored(), null,
                MediaType.parseMediaType("video/mp4"), ContentDisposition.inline().filename("v.mp4").build());

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(answer.getHeaders().containsHeader(HttpHeaders.CONTENT_RANGE)).isFalse();
        assertThat(answer.getHeaders().getContentLength()).isEqualTo(1000);
        assertThat(body(answer)).isEqualTo(content);
    }

    private LocalDiskResultStore store;

    private ByteRangeResponder responder(byte[] content) throws Exception {
        store = new LocalDiskResultStore(root);
        store.put("videos/v.mp4", new ByteArrayInputStream(content), 1_000_000);
        return new ByteRangeResponder(store);
    }

    private StoredObject stored() throws Exception {
        return store.stat("videos/v.mp4").orElseThrow();
    }

    private static byte[] body(ResponseEntity<StreamingResponseBody> answer) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        answer.getBody().writeTo(out);
        return out.toByteArray();
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }
}
