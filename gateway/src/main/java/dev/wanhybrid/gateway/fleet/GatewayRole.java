package dev.wanhybrid.gateway.fleet;

/** What this process is in a deployment ({@code gateway.role}); the Helm chart sets it as {@code GATEWAY_ROLE}. */
public enum GatewayRole {
    /** One process that serves the API and runs its own engines; local state is read in-process only. */
    STANDALONE,
    /** An API replica of a cluster: the local backend is the fleet of GPU workers seen through PostgreSQL. */
    API,
    /** A GPU worker of a cluster: it heartbeats its engines and claims local jobs up to its free capacity. */
    WORKER;

    /** Whether this process is part of a cluster whose local state is shared through the database. */
    public boolean sharesLocalState() {
        return this != STANDALONE;
    }
}
