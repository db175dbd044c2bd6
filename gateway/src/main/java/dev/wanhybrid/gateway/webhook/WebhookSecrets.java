package dev.wanhybrid.gateway.webhook;

import java.util.Optional;

/** Finds a tenant's webhook signing secret. Secrets are never logged. */
@FunctionalInterface
public interface WebhookSecrets {

    Optional<String> secretOf(String tenant);
}
