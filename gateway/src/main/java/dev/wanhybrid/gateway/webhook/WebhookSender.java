package dev.wanhybrid.gateway.webhook;

import dev.wanhybrid.gateway.jobs.JobQueries.StoredEvent;
import dev.wanhybrid.gateway.net.FetchException;
import dev.wanhybrid.gateway.net.SafeHttpFetcher;
import dev.wanhybrid.gateway.net.UnsafeUrlException;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends signed webhooks for jobs created with a {@code webhook_url}: each tick it queues new job events from the
 * outbox, then sends the due deliveries, retrying failures with jittered exponential backoff.
 *
 * <p>Each event is delivered once per job across restarts and instances, in the at-least-once sense that
 * webhooks allow: an instance that dies after the receiver answered but before recording it sends the same
 * message again after its lease expires, with the same {@code webhook-id}, which receivers use to drop
 * duplicates.
 */
public class WebhookSender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebhookOutbox outbox;
    private final SafeHttpFetcher fetcher;
    private final WebhookSecrets secrets;
    private final WebhookProperties properties;
    private final Clock clock;
    private final String owner = "webhooks-" + UUID.randomUUID();
    private final PeriodicTask scheduler;
    private final EventScan scan;

    public WebhookSender(WebhookOutbox outbox, SafeHttpFetcher fetcher, WebhookSecrets secrets,
            WebhookProperties properties, Clock clock) {
        this.outbox = outbox;
        this.fetcher = fetcher;
        this.secrets = secrets;
        this.properties = properties;
        this.clock = clock;
        this.scheduler = PeriodicTask.every("webhooks", properties.pollInterval(), this::tick);
        this.scan = new EventScan(properties.scanLag(), properties.batchSize(), 10);
    }

    /**
     * Runs a round now, on the sender's thread, because an event was just committed; wake-ups that arrive while
     * one is pending fold into it. Does nothing while the sender is stopped.
     */
    public void wake() {
        scheduler.wake();
    }

    /** One round: queue new events, then send what is due. Returns how many deliveries were attempted. */
    public int tick() {
        enqueueNewEvents();
        Instant now = clock.instant();
        List<WebhookOutbox.Delivery> due = outbox.claimDue(owner, now, now.plus(properties.lease()),
                properties.batchSize());
        due.forEach(this::send);
        return due.size();
    }

    /** Queues deliveries for the events this instance has not read yet, and moves the shared cursor past them. */
    void enqueueNewEvents() {
        Instant now = clock.instant();
        long cursor = outbox.cursor();
        EventScan.Round round = scan.next(cursor, now, outbox);
        try {
            for (StoredEvent event : round.events()) {
                String url = webhookUrl(event.specJson());
                if (url != null && !properties.skipTypes().contains(event.type())) {
                    outbox.enqueue(event, url, body(event), now);
                }
            }
        } catch (RuntimeException e) {
            // The scan already counts this round as read; the events after the failure must be read again.
            scan.reset();
            throw e;
        }
        long safe = scan.safeCursor();
        if (safe > cursor) {
            outbox.advanceCursor(safe);
        }
        if (round.more()) {
            scheduler.wake();
        }
    }

    private void send(WebhookOutbox.Delivery d) {
        Instant now = clock.instant();
        String msgId = "msg_" + d.eventId();
        Optional<String> secret = secrets.secretOf(d.tenant());
        if (secret.isEmpty()) {
            outbox.failed(d.eventId(), owner, null, "no webhook secret is configured for tenant " + d.tenant()
                    + " (set gateway.tenants[].webhook-secret-ref)", null);
            log.warn("webhook {} for job {} not sent: tenant {} has no webhook secret", msgId, d.jobId(), d.tenant());
            return;
        }
        byte[] body = d.body().getBytes(StandardCharsets.UTF_8);
        long timestamp = now.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "wan-hybrid-gateway-webhooks");
        headers.put(WebhookSigner.ID_HEADER, msgId);
        headers.put(WebhookSigner.TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(WebhookSigner.SIGNATURE_HEADER,
                WebhookSigner.sign(WebhookSigner.key(secret.get()), msgId, timestamp, body));
        try {
            int status = fetcher.post("webhook_url", URI.create(d.url()), headers, body, properties.timeout());
            if (status >= 200 && status < 300) {
                outbox.delivered(d.eventId(), owner, status, clock.instant());
                log.info("webhook {} ({}) for job {} delivered: {}", msgId, d.eventType(), d.jobId(), status);
            } else if (status == 410) {
                // The receiver says the endpoint is gone for good: stop, as Standard Webhooks senders do.
                outbox.failed(d.eventId(), owner, status, "receiver answered 410 Gone", null);
            } else {
                retryLater(d, status, "receiver answered HTTP " + status);
            }
        } catch (UnsafeUrlException e) {
            outbox.failed(d.eventId(), owner, null, e.getMessage(), null);
            log.warn("webhook {} for job {} refused: {}", msgId, d.jobId(), e.getMessage());
        } catch (FetchException e) {
            retryLater(d, null, e.getMessage());
        } catch (RuntimeException e) {
            retryLater(d, null, e.getClass().getSimpleName());
        }
    }

    private void retryLater(WebhookOutbox.Delivery d, Integer status, String error) {
        int attempt = d.attempts() + 1;
        if (attempt >= properties.maxAttempts()) {
            outbox.failed(d.eventId(), owner, status, error + "; gave up after " + attempt + " attempts", null);
            log.warn("webhook msg_{} for job {} given up after {} attempts: {}", d.eventId(), d.jobId(), attempt,
                    error);
            return;
        }
        Duration wait = backoff(attempt);
        outbox.failed(d.eventId(), owner, status, error, clock.instant().plus(wait));
        log.info("webhook msg_{} for job {} failed ({}); attempt {} in {}s", d.eventId(), d.jobId(), error,
                attempt + 1, wait.toSeconds());
    }

    /** Exponential from the initial backoff, capped, with +-jitter so receivers are not hit in waves. */
    Duration backoff(int attempt) {
        double base = properties.initialBackoff().toMillis() * Math.pow(2, attempt - 1);
        double capped = Math.min(base, properties.maxBackoff().toMillis());
        double factor = 1 + properties.jitter() * (ThreadLocalRandom.current().nextDouble() * 2 - 1);
        return Duration.ofMillis(Math.max(1, Math.round(capped * factor)));
    }

    private static String webhookUrl(String specJson) {
        // Most jobs name no webhook, and their stored spec has no webhook_url field (JobStore leaves nulls out):
        // no need to parse it then.
        if (specJson == null || !specJson.contains("\"webhook_url\"")) {
            return null;
        }
        JsonNode url = JSON.readTree(specJson).get("webhook_url");
        return url == null || url.isNull() || url.asString().isBlank() ? null : url.asString();
    }

    /** {@code {"type", "timestamp", "data"}}: the Standard Webhooks payload shape around the video object. */
    static String body(StoredEvent event) {
        var node = JSON.createObjectNode();
        node.put("type", event.type());
        node.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(event.createdAt()));
        node.set("data", JSON.readTree(event.payload()));
        return JSON.writeValueAsString(node);
    }

    @Override
    public void start() {
        if (properties.enabled()) {
            scheduler.start();
        }
    }

    @Override
    public void stop() {
        scheduler.stop();
    }

    @Override
    public boolean isRunning() {
        return scheduler.isRunning();
    }
}
