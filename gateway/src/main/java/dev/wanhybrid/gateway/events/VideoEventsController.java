package dev.wanhybrid.gateway.events;

import dev.wanhybrid.gateway.jobs.GenerationService;
import dev.wanhybrid.gateway.tenant.Tenant;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/videos/{id}/events}: the job's status changes as Server-Sent Events. */
@RestController
class VideoEventsController {

    private final GenerationService service;
    private final JobEventStream stream;
    private final Duration timeout;

    VideoEventsController(GenerationService service, JobEventStream stream,
            @Value("${gateway.events.stream-timeout:30m}") Duration timeout) {
        this.service = service;
        this.stream = stream;
        this.timeout = timeout;
    }

    @GetMapping(path = "/v1/videos/{id}/events")
    ResponseEntity<?> events(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, @PathVariable String id,
            @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId) {
        if (!id.matches("video_[0-9a-f]{32}") || service.find(tenant.id(), id).isEmpty()) {
            return notFound(id);
        }
        long after = 0;
        if (lastEventId != null && lastEventId.matches("\\d{1,18}")) {
            after = Long.parseLong(lastEventId);
        }
        return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .header("Cache-Control", "no-store").header("X-Accel-Buffering", "no")
                .body(stream.subscribe(id, after, timeout));
    }

    private static ResponseEntity<?> notFound(String id) {
        Map<String, Object> error = new HashMap<>();
        error.put("message", "No video found with id '" + (id.length() > 80 ? id.substring(0, 80) : id) + "'.");
        error.put("type", "invalid_request_error");
        error.put("param", "id");
        error.put("code", "video_not_found");
        return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("error", error));
    }
}
