package dev.wanhybrid.gateway.storage;

import java.io.IOException;

/** A result that exceeded the configured size limit while being copied; nothing was kept. */
public class ResultTooLargeException extends IOException {

    public ResultTooLargeException(String key, long maxBytes) {
        super("result " + key + " exceeds the limit of " + maxBytes + " bytes");
    }
}
