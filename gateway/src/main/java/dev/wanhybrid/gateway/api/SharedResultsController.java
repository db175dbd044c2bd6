package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.StoredObject;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import java.io.IOException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Serves a stored video to whoever holds a link {@link SourceVideoLinks} signed (a cloud provider fetching the
 * video it edits): no API key, the signature and expiry are the credential. A forged, altered or expired link is a
 * 403; a video deleted since is a 404.
 */
@RestController
class SharedResultsController {

    private final ResultStore results;
    private final SourceVideoLinks links;
    private final ByteRangeResponder content;

    SharedResultsController(ResultStore results, SourceVideoLinks links) {
        this.results = results;
        this.links = links;
        this.content = new ByteRangeResponder(results);
    }

    @GetMapping(SourceVideoLinks.PATH)
    ResponseEntity<StreamingResponseBody> shared(@RequestParam(required = false) String key,
            @RequestParam(required = false) Long expires, @RequestParam(required = false) String signature,
            @RequestHeader(value = HttpHeaders.RANGE, required = false) String range) throws IOException {
        if (expires == null || !links.verifies(key, expires, signature)) {
            throw new ApiException(HttpStatus.FORBIDDEN, ApiError.INVALID_REQUEST, "signature", "link_invalid",
                    "This link is not valid or has expired.");
        }
        StoredObject object = results.stat(key).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND,
                ApiError.INVALID_REQUEST, "key", "content_expired", "The video behind this link is gone."));
        return content.respond(object, range, MediaType.parseMediaType("video/mp4"),
                ContentDisposition.inline().filename("source.mp4").build());
    }
}
