package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.gateway.web.ApiException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.mock.web.MockMultipartHttpServletRequest;

/** How a create request comes off the wire: JSON or multipart, bracketed names, and the upload's sniffed type. */
class VideoRequestReaderTest {

    final VideoRequestReader reader = new VideoRequestReader(ApiFixtures.defaults());

    @Test
    void theConfigurationDecidesWhichSniffedImageTypesAreAccepted() throws Exception {
        java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "bmp", written);
        byte[] bmp = written.toByteArray();
        assertThatThrownBy(() -> reader.read(upload("image/bmp", bmp))).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("invalid_image_format"));

        ApiProperties d = ApiFixtures.defaults();
        ApiProperties withBmp = new ApiProperties(d.maxBodySize(), d.maxPromptChars(), d.maxNegativePromptChars(),
                d.maxImageSize(), d.maxSeconds(), d.maxUrlLength(), d.videoRetention(), java.util.List.of("image/bmp"),
                d.maxImageSide());
        CreateVideoRequest read = new VideoRequestReader(withBmp).read(upload(null, bmp));
        assertThat(read.upload().contentType()).isEqualTo("image/bmp");
        assertThat(read.upload().extension()).isEqualTo("bmp");
    }

    @Test
    void aJsonBodyIsReadUnderAnyJsonMediaType() throws Exception {
        for (String type : new String[] {"application/json", "application/json; charset=utf-8",
                "application/vnd.wan+json"}) {
            CreateVideoRequest read = reader.read(json(type, "{\"prompt\": \"a cat\", \"seconds\": 5}"));
            assertThat(read.prompt()).isEqualTo("a cat");
            assertThat(read.upload()).isNull();
        }
    }

    @Test
    void anotherMediaTypeIs415() {
        for (String type : new String[] {"text/plain", "not a media type", null}) {
            assertThatThrownBy(() -> reader.read(json(type, "{\"prompt\": \"a cat\"}")))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
                        assertThat(e.code()).isEqualTo("unsupported_media_type");
                    });
        }
    }

    @Test
    void aJsonBodyOverTheLimitIs413AndAnEmptyOneIs400() {
        String big = "{\"prompt\": \"" + "a".repeat(70_000) + "\"}";
        assertThatThrownBy(() -> reader.read(json("application/json", big))).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("request_too_large"));
        assertThatThrownBy(() -> reader.read(json("application/json", ""))).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("invalid_json"));
    }

    @Test
    void multipartFieldsFoldBracketedNamesAndJsonObjectsIntoTheBody() throws Exception {
        MockMultipartHttpServletRequest form = new MockMultipartHttpServletRequest();
        form.addParameter("prompt", "a cat");
        form.addParameter("seconds", "5");
        form.addParameter("routing[backend]", "local");
        form.addParameter("routing[local_only]", "true");
        CreateVideoRequest read = reader.read(form);
        assertThat(read.seconds()).isEqualTo(5);
        assertThat(read.routing().backend()).isEqualTo("local");
        assertThat(read.routing().localOnly()).isTrue();

        MockMultipartHttpServletRequest asJson = new MockMultipartHttpServletRequest();
        asJson.addParameter("prompt", "a cat");
        asJson.addParameter("routing", " {\"backend\": \"local\"}");
        assertThat(reader.read(asJson).routing().backend()).isEqualTo("local");
    }

    @Test
    void aRepeatedMultipartFieldIsRefused() {
        MockMultipartHttpServletRequest form = new MockMultipartHttpServletRequest();
        form.addParameter("prompt", "a cat", "a dog");
        assertThatThrownBy(() -> reader.read(form)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.param()).isEqualTo("prompt");
            assertThat(e.code()).isEqualTo("duplicate_parameter");
        });
    }

    @Test
    void anUploadIsTypedByItsBytesAndMayBeDeclaredAsOctetStream() throws Exception {
        CreateVideoRequest read = reader.read(upload("application/octet-stream", ApiFixtures.png()));
        assertThat(read.upload().contentType()).isEqualTo("image/png");
        assertThat(read.upload().extension()).isEqualTo("png");
        assertThat(read.upload().bytes()).isEqualTo(ApiFixtures.png());
        assertThat(reader.read(upload(null, ApiFixtures.png())).upload().extension()).isEqualTo("png");
    }

    @Test
    void anUploadThatIsNotTheImageItClaimsIsRefused() {
        assertThatThrownBy(() -> reader.read(upload("image/jpeg", ApiFixtures.png())))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.param()).isEqualTo("input_reference");
                    assertThat(e.code()).isEqualTo("invalid_image_format");
                    assertThat(e.getMessage()).isEqualTo("input_reference is declared as image/jpeg but is image/png.");
                });
        assertThatThrownBy(() -> reader.read(upload("image/png", new byte[0])))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("empty_file"));
    }

    @Test
    void aSignatureFollowedByZerosIsNoImage() {
        assertThatThrownBy(() -> reader.read(upload("image/png", ApiFixtures.pngSignatureAndZeros())))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.param()).isEqualTo("input_reference");
                    assertThat(e.code()).isEqualTo("invalid_image");
                });
    }

    @Test
    void aJsonBodyDeclaredInAnotherCharsetOrNotUtf8IsRefused() throws Exception {
        assertThatThrownBy(() -> reader.read(json("application/json; charset=utf-16", "{\"prompt\":\"x\"}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(415);
                    assertThat(e.code()).isEqualTo("unsupported_charset");
                });
        MockHttpServletRequest latin1 = new MockHttpServletRequest("POST", "/v1/videos");
        latin1.setContentType("application/json");
        latin1.setContent("{\"prompt\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> reader.read(latin1)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("invalid_json"));
        MockHttpServletRequest utf16 = new MockHttpServletRequest("POST", "/v1/videos");
        utf16.setContentType("application/json; charset=UTF-8");
        utf16.setContent("{\"prompt\":\"x\"}".getBytes(StandardCharsets.UTF_16LE));
        assertThatThrownBy(() -> reader.read(utf16)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("invalid_json"));
        assertThat(reader.read(json("application/json; charset=\"UTF-8\"", "{\"prompt\":\"caf\u00e9\"}")).prompt())
                .isEqualTo("caf\u00e9");
    }

    private static MockHttpServletRequest json(String contentType, String body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/videos");
        request.setContentType(contentType);
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        return request;
    }

    private static MockMultipartHttpServletRequest upload(String contentType, byte[] bytes) {
        MockMultipartHttpServletRequest form = new MockMultipartHttpServletRequest();
        form.addParameter("prompt", "a cat");
        form.addFile(new MockMultipartFile("input_reference", "frame.png", contentType, bytes));
        return form;
    }
}
