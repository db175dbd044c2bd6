package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.BudgetStatus;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The one place that turns a refused creation into an answer, for both APIs: whose fault it is, which status,
 * which field and code, and whether a retry can help.
 *
 * <ul>
 *   <li>the caller's: 400 naming the field (a request no deployed model can serve, a {@code max_cost_usd} below
 *       every price, an unknown model), 402 when a budget cap has no room (the message names each cap, its limit,
 *       period, what is left and when it resets); never a {@code Retry-After}, since retrying the same request
 *       cannot help until the caller changes it or the period resets;</li>
 *   <li>ours: 503 with {@code Retry-After} only when a backend that could serve the request is down for now
 *       (breaker open, queue full, not ready), or when the gateway already has as many submissions under way as
 *       {@code gateway.submit.max-in-flight} allows ({@link SubmitOverloadedException}).</li>
 * </ul>
 *
 * On the DashScope facade the same refusal takes DashScope's documented codes: a budget refusal is 400
 * {@code Arrearage}, an unknown model 404 {@code ModelNotFound}, a temporary outage 503 {@code ModelUnavailable},
 * anything else the caller can fix 400 {@code InvalidParameter}.
 */
@Component
public class CreateRefusals {

    /** How long a caller should wait before retrying while a capable backend is down. */
    static final long RETRY_AFTER_SECONDS = 30;

    private static final DateTimeFormatter RESET = DateTimeFormatter.ISO_INSTANT;

    private final ObjectProvider<BudgetCaps> caps;

    public CreateRefusals(ObjectProvider<BudgetCaps> caps) {
        this.caps = caps;
    }

    /** A refusal in both protocols' terms. */
    public record Refusal(HttpStatus status, String type, String param, String code, String message,
            Long retryAfterSeconds, int dashScopeStatus, String dashScopeCode) {

        /** The answer on {@code /v1} (and, through {@code web.ProtocolErrors}, its DashScope code). */
        public ApiException toApiException() {
            return new ApiException(status, type, param, code, message, retryAfterSeconds, dashScopeCode);
        }

        /** On the DashScope routes the field leads the message, since DashScope's shape has no field for it. */
        public String dashScopeMessage() {
            return param == null ? message : param + ": " + message;
        }
    }

    /** The router found no candidate. */
    public Refusal of(NoRouteException e, String tenant) {
        String reasons = e.rejected().isEmpty() ? "" : " Rejected: " + e.rejected().stream()
                .map(CreateRefusals::describe).collect(Collectors.joining("; ")) + ".";
        int status = e.httpStatus();
        if (status == 402) {
            return budget(e.getMessage() + " " + capsSentence(tenant, null) + reasons);
        }
        if (status >= 500) {
            return new Refusal(HttpStatus.SERVICE_UNAVAILABLE, ApiError.SERVICE_UNAVAILABLE, e.param(), e.code(),
                    e.getMessage() + reasons, RETRY_AFTER_SECONDS, 503, "ModelUnavailable");
        }
        HttpStatus http = HttpStatus.resolve(status) == null ? HttpStatus.BAD_REQUEST : HttpStatus.valueOf(status);
        boolean unknownModel = "model_not_found".equals(e.code());
        return new Refusal(http, ApiError.INVALID_REQUEST, e.param(), e.code(), e.getMessage() + reasons, null,
                unknownModel ? 404 : 400, unknownModel ? "ModelNotFound" : "InvalidParameter");
    }

    /** Every feasible candidate's reservation was refused by a cap. */
    public Refusal of(BudgetRejectedException e, String tenant) {
        String message = e.getMessage().contains(e.cap().cap()) ? e.getMessage()
                : "The budget cap " + e.cap().cap() + " has no room for this job: " + e.getMessage();
        return budget(message + " " + capsSentence(tenant, e.cap().cap()));
    }

    /** Too many submissions under way at once: ours, and brief, so 503 with {@code Retry-After}. */
    public Refusal of(SubmitOverloadedException e) {
        return new Refusal(HttpStatus.SERVICE_UNAVAILABLE, ApiError.SERVICE_UNAVAILABLE, null, "overloaded",
                e.getMessage(), Math.max(1, e.retryAfter().toSeconds()), 503, "ModelUnavailable");
    }

    private static Refusal budget(String message) {
        return new Refusal(HttpStatus.PAYMENT_REQUIRED, ApiError.INSUFFICIENT_QUOTA, null, "budget_exceeded",
                message.strip(), null, 400, "Arrearage");
    }

    /**
     * The caps that apply to the tenant, the one that refused (or, for the router's refusal, the tightest) first:
     * name, limit per period, what is left now and when the period resets.
     */
    private String capsSentence(String tenant, String refusedCap) {
        BudgetCaps budgetCaps = caps.getIfAvailable();
        if (budgetCaps == null) {
            return "";
        }
        List<BudgetStatus> statuses = budgetCaps.statusFor(tenant).stream()
                .sorted(Comparator.comparing((BudgetStatus s) -> !s.cap().name().equals(refusedCap))
                        .thenComparing(BudgetStatus::remainingUsd))
                .toList();
        if (statuses.isEmpty()) {
            return "";
        }
        return "Caps: " + statuses.stream().map(s -> s.cap().name() + " limit $" + plain(s.cap().limit().amount())
                + " per " + s.cap().period().id() + ", $" + plain(s.remainingUsd().max(BigDecimal.ZERO))
                + " left, resets at " + RESET.format(s.resetsAt())).collect(Collectors.joining("; ")) + ".";
    }

    private static String plain(BigDecimal amount) {
        return amount.setScale(Math.max(2, Math.min(6, amount.stripTrailingZeros().scale())), RoundingMode.HALF_UP)
                .toPlainString();
    }

    private static String describe(RejectedCandidate r) {
        return r.backend() + "/" + r.model() + " (" + r.reason() + (r.detail() == null ? "" : ": " + r.detail()) + ")";
    }
}
