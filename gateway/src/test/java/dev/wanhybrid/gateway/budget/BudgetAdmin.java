package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.gateway.e2e.support.Http;
import java.net.http.HttpRequest;

/** The admin's {@code PUT /v1/budgets} for the demo tenant's daily cap, as the spent-budget ITs set it. */
final class BudgetAdmin {

    private BudgetAdmin() {}

    /** Sets tenant {@code demo}'s daily cap; {@code policy} {@code null} leaves {@code when_exhausted} out. */
    static Http.Reply putDemoDayCap(int port, String limit, String policy) {
        Http admin = new Http(port, "admin-secret");
        String json = "{\"scope\":\"tenant\",\"tenant\":\"demo\",\"period\":\"day\",\"limit_usd\":\"" + limit + "\""
                + (policy == null ? "" : ",\"when_exhausted\":\"" + policy + "\"") + "}";
        return admin.send(admin.request("/v1/budgets").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }
}
