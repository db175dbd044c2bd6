package dev.wanhybrid.gateway.backend;

import java.io.IOException;
import java.net.URI;

/**
 * Reads the first frame of an image-to-video request: an {@code upload:} key from the result store, or an image URL
 * through the SSRF-safe fetcher. The self-hosted backends (the in-JVM engine, remote servers) take the image's bytes
 * from here, so a remote server never needs to reach the caller's URL.
 */
@FunctionalInterface
public interface InputImages {

    byte[] read(URI reference) throws IOException;
}
