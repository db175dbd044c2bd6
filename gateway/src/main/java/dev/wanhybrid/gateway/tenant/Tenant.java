package dev.wanhybrid.gateway.tenant;

/**
 * An authenticated caller.
 *
 * @param id tenant id (metrics tag, budget scope, job owner)
 * @param webhookSecretRef where the tenant's webhook signing secret is configured, or {@code null}
 */
public record Tenant(String id, String webhookSecretRef) {

    /** The request attribute under which the authentication filter leaves the tenant. */
    public static final String REQUEST_ATTRIBUTE = "dev.wanhybrid.gateway.tenant.Tenant";

    /**
     * The request attribute set ({@code Boolean.TRUE}) when the caller presented the admin token instead of a
     * tenant key, on the {@code /v1} routes that accept it ({@code /v1/budgets}).
     */
    public static final String ADMIN_ATTRIBUTE = "dev.wanhybrid.gateway.tenant.Admin";
}
