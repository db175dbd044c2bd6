package dev.wanhybrid.gateway.net;

import java.net.URI;

/**
 * Decides whether a caller-supplied URL ({@code input_reference.image_url}, {@code audio.url},
 * {@code webhook_url}) may be used; the SSRF checks live behind it.
 */
@FunctionalInterface
public interface InputUrlPolicy {

    /**
     * @param param the request field, for the error
     * @return {@code null} when allowed, else a sentence saying why not (never echoing resolved addresses)
     */
    String rejection(String param, URI url);
}
