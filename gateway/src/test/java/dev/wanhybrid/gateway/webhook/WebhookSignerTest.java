package dev.wanhybrid.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

    @Test
    void signatureMatchesTheStandardWebhooksSpecificationExample() {
        // The example of the Standard Webhooks specification and its reference libraries.
        byte[] key = WebhookSigner.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        String signature = WebhookSigner.sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void anyChangeToIdTimestampOrBodyChangesTheSignature() {
        byte[] key = WebhookSigner.key("plain-secret");
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String base = WebhookSigner.sign(key, "msg_1", 100, body);

        assertThat(WebhookSigner.sign(key, "msg_2", 100, body)).isNotEqualTo(base);
        assertThat(WebhookSigner.sign(key, "msg_1", 101, body)).isNotEqualTo(base);
        assertThat(WebhookSigner.sign(key, "msg_1", 100, "{\"a\":2}".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(base);
        assertThat(WebhookSigner.sign(WebhookSigner.key("other"), "msg_1", 100, body)).isNotEqualTo(base);
    }
}
