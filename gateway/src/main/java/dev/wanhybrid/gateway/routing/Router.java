package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.budget.WhenExhausted;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.LocalSchedule;
import dev.wanhybrid.cost.routing.ServiceTime;
import dev.wanhybrid.gateway.backend.RemoteLoad;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.ModelTier;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.time.LocalDate;
import java.time.ZoneOffset;
import dev.wanhybrid.cloud.catalog.ModelLifecycle;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The routing decision as a pure function of the request and a {@link RoutingContext}: no I/O, no clock of its
 * own, no randomness, so every case can be tested directly.
 *
 * <p>Stages, in order: policy ({@code local_only}, backend pin, named model) -> capability (task kind, audio,
 * size, length) -> health (readiness, breakers, loaded model, queue capacity) -> estimates (cost; time = local
 * queue wait + service time, cloud latency from recent observations) -> constraints ({@code max_cost_usd},
 * budget headroom, deadline) -> objective (cost or latency). Every candidate ruled out is recorded with a fixed
 * reason code and a sentence.
 *
 * <p>When nothing is left the failure says whose fault it is: a request no model can serve is the caller's (400
 * naming the field), an exhausted budget is 402, and capable backends that are all down are ours (503).
 */
public final class Router {

    /** Decides the route or says why there is none. */
    public Route decide(GenerationSpec spec, RoutingContext ctx) throws NoRouteException {
        RoutingHints hints = spec.routing();
        String pin = hints.backend();
        if (pin != null && !Backend.LOCAL.is(pin) && !Backend.CLOUD.is(pin)
                && !ctx.catalog().backends().contains(pin)) {
            List<String> named = ctx.catalog().backends().stream()
                    .filter(b -> !Backend.LOCAL.is(b) && !Backend.CLOUD.is(b)).toList();
            throw new NoRouteException(400, "routing.backend", "invalid_backend",
                    "routing.backend must be 'local', 'cloud'" + (named.isEmpty() ? ""
                            : " or the name of a remote engine or cloud source (" + String.join(", ", named) + ")")
                            + ", was '" + pin + "'.", List.of());
        }
        if (hints.localOnly() && pin != null && Backend.isCloud(pin)) {
            throw new NoRouteException(400, "routing.backend", "routing_conflict",
                    "routing.backend '" + pin + "' contradicts routing.local_only, which keeps the data on our machines.",
                    List.of());
        }
        boolean auto = GenerationSpec.AUTO_MODEL.equals(spec.model());
        List<CatalogModel> considered;
        if (auto) {
            considered = ctx.catalog().models();
        } else {
            CatalogModel named = ctx.catalog().find(spec.model()).orElse(null);
            if (named == null) {
                String ids = ctx.catalog().models().stream().map(CatalogModel::id).collect(Collectors.joining(", "));
                throw new NoRouteException(400, "model", "model_not_found",
                        "Unknown model '" + spec.model() + "'. Use 'auto' or one of: " + ids + ".", List.of());
            }
            // Every source that offers it: the default DashScope account and the further cloud sources.
            considered = ctx.catalog().sourcesOf(spec.model());
        }

        List<RejectedCandidate> rejected = new ArrayList<>();
        Map<CatalogModel, RejectionReason> rejectionOf = new LinkedHashMap<>();

        // Lifecycle: a retired (or not yet released) cloud model is never sent.
        LocalDate day = LocalDate.ofInstant(ctx.now(), ZoneOffset.UTC);
        boolean successorRuns = false;
        List<CatalogModel> current = new ArrayList<>();
        for (CatalogModel m : considered) {
            Optional<ModelLifecycle> life = ctx.catalog().lifecycle(m.id(), day);
            if (life.isEmpty() || life.get().sendable()) {
                current.add(m);
                continue;
            }
            Optional<CatalogModel> successor = Optional.ofNullable(life.get().successor())
                    .flatMap(ctx.catalog()::find);
            if (!auto && ctx.catalog().usesSuccessors() && successor.isPresent()
                    && ctx.catalog().lifecycle(successor.get().id(), day).map(ModelLifecycle::sendable).orElse(true)) {
                reject(rejected, rejectionOf, m, RejectionReason.MODEL_RETIRED, life.get().refusal(m.id())
                        + "; it runs on " + successor.get().id() + " (gateway.catalog.use-successors).");
                // The successor from every source that offers it, once.
                ctx.catalog().sourcesOf(successor.get().id()).stream().filter(x -> !current.contains(x))
                        .forEach(current::add);
                successorRuns = true;
            } else if (!auto) {
                throw new NoRouteException(400, "model", RejectionReason.MODEL_RETIRED.code(),
                        capitalized(life.get().refusal(m.id())) + ".", List.of());
            } else {
                reject(rejected, rejectionOf, m, RejectionReason.MODEL_RETIRED, capitalized(life.get().refusal(m.id()))
                        + ".");
            }
        }
        considered = current;

        // Policy.
        List<CatalogModel> allowed = new ArrayList<>();
        for (CatalogModel m : considered) {
            if (hints.localOnly() && !m.isSelfHosted()) {
                reject(rejected, rejectionOf, m, RejectionReason.LOCAL_ONLY,
                        "routing.local_only keeps the data on our machines, and " + m.id() + " runs in the cloud.");
            } else if (pin != null && !pin.equals(m.backend()) && !(Backend.CLOUD.is(pin) && m.isCloud())) {
                // (routing.backend 'cloud' pins the paid cloud: every cloud source)
                reject(rejected, rejectionOf, m, RejectionReason.PINNED_ELSEWHERE,
                        "routing.backend pins " + pin + ", and " + m.id() + " runs on " + m.backend() + ".");
            } else {
                allowed.add(m);
            }
        }
        if (allowed.isEmpty()) {
            RejectionReason why = rejectionOf.values().iterator().next();
            throw new NoRouteException(400, why.param(), "routing_conflict",
                    rejected.getFirst().detail(), rejected);
        }

        // Capability.
        List<Option> capable = new ArrayList<>();
        for (CatalogModel m : allowed) {
            Optional<RejectionReason> missing = firstMissingCapability(spec, m, ctx.catalog());
            if (missing.isPresent()) {
                reject(rejected, rejectionOf, m, missing.get(),
                        capabilitySentence(missing.get(), spec, m, ctx.catalog()));
            } else {
                capable.add(estimate(spec, m, ctx));
            }
        }
        if (capable.isEmpty()) {
            throw callerCannotBeServed(spec, allowed, rejected, hints);
        }

        // Health.
        List<Option> healthy = new ArrayList<>();
        List<Option> unhealthy = new ArrayList<>();
        for (Option o : capable) {
            int healthyBefore = healthy.size();
            BackendHealth h = ctx.health().get(o.model.backend());
            if (h == null || !h.ready()) {
                reject(rejected, rejectionOf, o.model, RejectionReason.NOT_READY, "The " + o.model.backend()
                        + " backend is not ready: " + (h == null ? "it is not configured." : h.detail()));
            } else if (h.breakerRejectsCalls()) {
                reject(rejected, rejectionOf, o.model, RejectionReason.BREAKER_OPEN, "The " + o.model.backend()
                        + " circuit breaker is " + h.breakerState() + " after recent failures or by an operator.");
            } else if (!h.serves(o.model.id())) {
                reject(rejected, rejectionOf, o.model, RejectionReason.MODEL_NOT_LOADED, "The " + o.model.backend()
                        + " backend has " + String.join(", ", h.servedModels()) + " loaded, not " + o.model.id() + ".");
            } else if (o.model.isLocal() && ctx.localQueue().isFull()) {
                reject(rejected, rejectionOf, o.model, RejectionReason.QUEUE_FULL, "The local queue is full ("
                        + ctx.localQueue().capacity() + " tasks).");
            } else if (h.remoteLoad() != null && h.remoteLoad().queue().isFull()) {
                reject(rejected, rejectionOf, o.model, RejectionReason.QUEUE_FULL, "The remote engine "
                        + o.model.backend() + " has " + h.remoteLoad().queue().capacity()
                        + " jobs outstanding, its max-concurrent.");
            } else {
                healthy.add(o);
            }
            if (healthy.size() == healthyBefore) {
                unhealthy.add(o);
            }
        }
        // Only a backend that is down for now makes a refusal ours (503, retry later); a model that is not loaded
        // here, or a backend that is not configured, will not come back by waiting, so it never hides why the
        // models that are deployed were refused.
        List<Option> temporarilyDown = unhealthy.stream().filter(o -> isTemporary(rejectionOf.get(o.model))
                && ctx.health().get(o.model.backend()) != null).toList();
        if (healthy.isEmpty()) {
            if (temporarilyDown.isEmpty()) {
                throw notDeployed(spec, allowed, ctx, rejected, hints);
            }
            throw new NoRouteException(503, null, "backend_unavailable",
                    "Every backend that can serve this request is unavailable right now: "
                            + sentences(rejected, Router::isTemporary), rejected);
        }

        // Constraints.
        List<Option> feasible = new ArrayList<>();
        for (Option o : healthy) {
            BigDecimal headroom = ctx.budgetHeadroomUsd().get(o.model.backend());
            if (hints.maxCostUsd() != null && o.candidate.estimatedCostUsd().compareTo(hints.maxCostUsd()) > 0) {
                reject(rejected, rejectionOf, o.model, RejectionReason.OVER_MAX_COST, "The estimate of $"
                        + o.candidate.estimatedCostUsd().toPlainString() + " is above max_cost_usd $"
                        + hints.maxCostUsd().toPlainString() + ".");
            } else if (headroom != null && o.candidate.estimatedCostUsd().compareTo(headroom) > 0) {
                reject(rejected, rejectionOf, o.model, RejectionReason.BUDGET, "The estimate of $"
                        + o.candidate.estimatedCostUsd().toPlainString() + " is above the $"
                        + headroom.toPlainString() + " left in the budget" + policyNote(ctx.whenExhausted()) + ".");
            } else if (hints.deadline() != null && o.candidate.estimatedTime().compareTo(hints.deadline()) > 0) {
                reject(rejected, rejectionOf, o.model, RejectionReason.DEADLINE, "It would take about "
                        + o.candidate.estimatedTime().toSeconds() + " s, beyond the deadline of "
                        + hints.deadline().toSeconds() + " s.");
            } else {
                feasible.add(o);
            }
        }
        if (feasible.isEmpty()) {
            throw constraintsCannotBeMet(healthy, temporarilyDown, rejected, hints, ctx.budgetHeadroomUsd(),
                    ctx.whenExhausted());
        }

        Comparator<Option> order = objectiveOrder(hints.objective());
        feasible.sort(order);
        RouteReason reason = reasonFor(spec, auto, feasible.getFirst(), capable, allowed, rejectionOf, order);
        Route.Hedge hedge = null;
        Route.Preemption preemption = null;
        if (ctx.localPlan() != null && hints.objective() == RoutingHints.Objective.COST && auto
                && hints.backend() == null && !hints.localOnly() && spec.lora() == null) {
            Scheduled scheduled = schedule(spec, ctx.localPlan(), ctx.now(), feasible, healthy);
            if (scheduled.localRefused()) {
                // The plan cannot take it without pushing admitted jobs late, and no cloud option meets the deadline.
                for (Option o : List.copyOf(feasible)) {
                    if (o.model.isLocal()) {
                        feasible.remove(o);
                        reject(rejected, rejectionOf, o.model, RejectionReason.DEADLINE, "The local queue cannot "
                                + "finish it by the deadline without making jobs already admitted late.");
                    }
                }
                if (feasible.isEmpty()) {
                    throw constraintsCannotBeMet(healthy, unhealthy, rejected, hints, ctx.budgetHeadroomUsd(),
                            ctx.whenExhausted());
                }
            }
            reason = scheduled.reason() == null ? reason : scheduled.reason();
            hedge = scheduled.hedge();
            preemption = scheduled.preemption();
        }
        if (successorRuns) {
            reason = RouteReason.RETIRED_MODEL_SUCCESSOR;
        }
        return new Route(feasible.stream().map(o -> o.candidate).toList(), rejected, reason.code(), null, hedge,
                preemption);
    }

    private static String capitalized(String sentence) {
        return Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
    }

    /**
     * The routing core's turn ({@link LocalAdmission}, the code the replay runs): weighs the local options against
     * the cheapest healthy cloud option, the plan and the shadow price of GPU time, and moves its choice to the
     * front of {@code feasible}; the others stay behind it as fallbacks (local ones behind every cloud one when the
     * core chose the cloud). A local option taken hedged gets its hedge point, and its rescue (the cloud option the
     * core weighed it against) goes right behind it, so the dispatcher's ordinary fallback moves the job there. A
     * local option that takes the GPU of a running job ({@code gateway.routing.preemption}) names that run.
     */
    private static Scheduled schedule(GenerationSpec spec, LocalPlanState state, java.time.Instant now,
            List<Option> feasible, List<Option> healthy) {
        // Every healthy local option, not only those the constraints left: the core records the job's demand and
        // applies its own deadline test, exactly as in the replay.
        List<Option> local = healthy.stream().filter(o -> o.model.isLocal() && o.modelled != null)
                .sorted(Comparator.comparingDouble((Option o) -> o.modelled.expectedSeconds())
                        .thenComparing(o -> o.model.id()))
                .toList();
        if (local.isEmpty()) {
            return new Scheduled(null, false, null, null);
        }
        Optional<Option> cloud = healthy.stream().filter(o -> o.model.isCloud())
                .min(Comparator.comparing((Option o) -> o.candidate.estimatedCostUsd())
                        .thenComparing(o -> o.candidate.estimatedTime()).thenComparing(o -> o.model.id()));
        Duration deadline = spec.routing().deadline();
        LocalAdmission.Verdict v = state.admission().decide(state.jobId(), state.clock(),
                deadline == null ? FAR : deadline.toMillis() / 1000.0,
                local.stream().map(o -> new LocalAdmission.LocalOption(o.model.id(), o.modelled,
                        o.candidate.estimatedCostUsd())).toList(),
                cloud.map(o -> new LocalAdmission.CloudOption(o.model.id(), o.candidate.estimatedCostUsd(),
                        o.candidate.estimatedTime().toMillis() / 1000.0)),
                state.plan(), state.demand());
        Option chosen = v.model() == null ? null : feasible.stream().filter(o -> o.model.id().equals(v.model()))
                .findFirst().orElse(null);
        if (chosen == null) {
            // The core chose an option the constraints ruled out. A cloud choice means local is refused: say so,
            // so the local candidates go (the caller rejects them); a local one keeps the cost order.
            return new Scheduled(null, !v.local() && feasible.stream().anyMatch(o -> o.model.isLocal())
                    && feasible.stream().noneMatch(o -> o.model.isCloud()), null, null);
        }
        boolean reordered = feasible.getFirst() != chosen;
        feasible.remove(chosen);
        feasible.addFirst(chosen);
        if (!v.local()) {
            // The local candidates stay as fallbacks, behind every cloud one.
            List<Option> locals = feasible.stream().filter(o -> o.model.isLocal()).toList();
            feasible.removeAll(locals);
            feasible.addAll(locals);
        }
        Option rescue = cloud.filter(feasible::contains).orElse(null);
        Route.Preemption preemption = v.local() && v.suspend() != null ? preemption(state, v) : null;
        if (v.local() && v.job().hedged() && rescue != null) {
            // (a rescue the constraints ruled out, over budget or max_cost_usd, leaves the run unhedged: cheapest)
            feasible.remove(rescue);
            feasible.add(1, rescue);
            long millis = Math.round((v.job().hedgeAt() - state.clock()) * 1000);
            return new Scheduled(RouteReason.HEDGED, false, new Route.Hedge(now.plusMillis(millis), rescue.candidate),
                    preemption);
        }
        if (preemption != null) {
            return new Scheduled(RouteReason.PREEMPT, false, null, preemption);
        }
        if (!reordered) {
            return new Scheduled(null, false, null, null);
        }
        return new Scheduled(switch (v.reason()) {
            case "opportunity_cost" -> RouteReason.OPPORTUNITY_COST;
            case "local_full", "deadline", "deadline_at_risk" -> RouteReason.DEADLINE;
            default -> RouteReason.CHEAPEST;
        }, false, null, null);
    }

    /** The running job the core suspends for this one, as the local backend knows it. */
    private static Route.Preemption preemption(LocalPlanState state, LocalAdmission.Verdict v) {
        LocalSchedule.Job victim = v.suspend();
        String task = state.taskOf(victim.id());
        String job = state.jobOf(victim.id());
        String due = Double.isInfinite(victim.due()) ? "without a deadline"
                : "due in " + Math.round(victim.due() - state.clock()) + " s";
        return new Route.Preemption(task, job, "No GPU could start it in time, so the run of "
                + (job == null ? "task " + task : "job " + job) + " (" + due + ") stops at its next step boundary and"
                + " resumes after it, still in time for its own deadline.");
    }

    /**
     * The core's effect on the order: a reason when it overrode the cost order (or hedged, or pre-empted), whether it
     * refused local, the hedge point of a hedged local run, and the run a pre-empting one suspends.
     */
    private record Scheduled(RouteReason reason, boolean localRefused, Route.Hedge hedge,
            Route.Preemption preemption) {}

    /** A capable model with its tier and estimates. */
    private record Option(CatalogModel model, ModelTier tier, int seconds, RouteCandidate candidate,
            Duration serviceTime, ServiceTime modelled) {}

    private static Optional<RejectionReason> firstMissingCapability(GenerationSpec spec, CatalogModel m,
            ModelCatalog catalog) {
        if (spec.lora() != null && !m.applies(spec.lora())) {
            return Optional.of(RejectionReason.LORA_UNSUPPORTED);
        }
        if (spec.media().isEmpty() ? !m.kinds().contains(spec.kind()) : !catalog.supportsMode(m.id(), spec.mode())) {
            return Optional.of(RejectionReason.KIND_UNSUPPORTED);
        }
        if (!m.supports(spec.audio())) {
            return Optional.of(RejectionReason.AUDIO_UNSUPPORTED);
        }
        if (m.tierOf(sizeFor(spec, m)).isEmpty()) {
            return Optional.of(RejectionReason.SIZE_UNSUPPORTED);
        }
        if (!m.seconds().contains(secondsFor(spec, m))) {
            return Optional.of(RejectionReason.SECONDS_UNSUPPORTED);
        }
        return Optional.empty();
    }

    private static VideoSize sizeFor(GenerationSpec spec, CatalogModel m) {
        return spec.size() != null ? spec.size() : m.defaultSize();
    }

    private static int secondsFor(GenerationSpec spec, CatalogModel m) {
        return spec.seconds() > 0 ? spec.seconds() : m.defaultSeconds();
    }

    private static String capabilitySentence(RejectionReason reason, GenerationSpec spec, CatalogModel m,
            ModelCatalog catalog) {
        return switch (reason) {
            case LORA_UNSUPPORTED -> m.appliesLoras() ? m.id() + " does not have the LoRA '" + spec.lora()
                    + "'; it applies " + String.join(", ", new java.util.TreeSet<>(m.loras())) + "."
                    : m.id() + " does not apply LoRAs" + (m.isCloud() ? " (the cloud applies none)." : ".");
            case KIND_UNSUPPORTED -> m.id() + " does not do " + (spec.media().isEmpty() ? kindName(spec.kind())
                    : spec.mode().id()) + ".";
            case AUDIO_UNSUPPORTED -> m.id() + (m.audio().isEmpty() ? " produces silent video only."
                    : " cannot synchronise to a given audio track.");
            case SIZE_UNSUPPORTED -> m.id() + " does not produce " + sizeFor(spec, m) + "; it offers "
                    + catalog.offeredSizes(m) + ".";
            case SECONDS_UNSUPPORTED -> m.id() + " does not produce " + secondsFor(spec, m)
                    + "-second clips; it offers " + m.seconds() + " s.";
            default -> m.id() + ": " + reason.code();
        };
    }

    private static String kindName(TaskKind kind) {
        return kind == TaskKind.I2V ? "image-to-video" : "text-to-video";
    }

    private Option estimate(GenerationSpec spec, CatalogModel m, RoutingContext ctx) {
        int seconds = secondsFor(spec, m);
        ModelTier tier = m.tierOf(sizeFor(spec, m)).orElseThrow();
        // A cloud model that bills input video is also reserved for its reference or edited videos' seconds.
        int billed = seconds + (m.isCloud() ? ctx.catalog().reservedInputVideoSeconds(m.id(), spec.media()) : 0);
        BigDecimal cost = ctx.costs().estimateUsd(m, tier, billed, spec.audio().wantsAudio());
        // (a remote model's cost is its GPU time, priced below once its service time is known)
        Duration service;
        Duration total;
        ServiceTime modelled = null;
        if (m.isLocal()) {
            modelled = ctx.costs().localServiceTime(m, sizeFor(spec, m), seconds).orElse(null);
            service = modelled != null ? seconds(modelled.expectedSeconds())
                    : tier.serviceTimePerSecond().multipliedBy(seconds);
            Duration wait = ctx.localQueue().estimatedWait();
            LocalPlanState plan = ctx.localPlan();
            if (plan != null && modelled != null) {
                double due = plan.clock() + (spec.routing().deadline() == null ? FAR : spec.routing().deadline().toSeconds());
                double start = plan.plan().startOnExpectedTimes(new LocalSchedule.Job(plan.jobId(), due, modelled),
                        plan.clock());
                // With pre-emption it may start sooner, on a GPU taken from a run due later.
                start = Math.min(start, plan.admission().earliestPreemptiveStart(plan.jobId(), due, plan.plan(),
                        plan.clock()));
                wait = Double.isInfinite(start) ? seconds(FAR) : seconds(Math.max(0, start - plan.clock()));
            }
            total = wait.plus(service);
        } else if (m.isRemote() && ctx.health().get(m.backend()) != null
                && ctx.health().get(m.backend()).remoteLoad() != null) {
            // A remote server: its measured service time for this clip, behind the jobs outstanding there, and the
            // cost model's price of that GPU time.
            RemoteLoad load = ctx.health().get(m.backend()).remoteLoad();
            service = load.serviceTime(m.id(), sizeFor(spec, m), seconds);
            total = load.queue().estimatedWait().plus(service);
            cost = load.usdFor(service);
        } else {
            Duration perSecond = ctx.cloudLatency().medianPerSecond(m.id(), ctx.now())
                    .orElse(tier.serviceTimePerSecond());
            service = perSecond.multipliedBy(seconds);
            total = service;
        }
        return new Option(m, tier, seconds, new RouteCandidate(m.backend(), m.id(), cost, total), service, modelled);
    }

    /** A deadline far enough away to stand for none: a year. */
    private static final double FAR = 365 * 86_400.0;

    private static Duration seconds(double s) {
        return Duration.ofMillis((long) Math.ceil(s * 1000));
    }

    private static Comparator<Option> objectiveOrder(RoutingHints.Objective objective) {
        boolean latencyFirst = objective == RoutingHints.Objective.LATENCY;
        // Written out rather than chained from Comparator.comparing: it runs for every pair of every sort.
        return (a, b) -> {
            int cost = a.candidate.estimatedCostUsd().compareTo(b.candidate.estimatedCostUsd());
            int time = a.candidate.estimatedTime().compareTo(b.candidate.estimatedTime());
            int primary = latencyFirst ? (time != 0 ? time : cost) : (cost != 0 ? cost : time);
            if (primary != 0) {
                return primary;
            }
            int quality = b.model.quality().compareTo(a.model.quality()); // better quality first
            if (quality != 0) {
                return quality;
            }
            int local = Boolean.compare(!a.model.isLocal(), !b.model.isLocal()); // local first
            return local != 0 ? local : a.model.id().compareTo(b.model.id());
        };
    }

    private static RouteReason reasonFor(GenerationSpec spec, boolean auto, Option chosen, List<Option> capable,
            List<CatalogModel> allowed, Map<CatalogModel, RejectionReason> rejectionOf, Comparator<Option> order) {
        RoutingHints hints = spec.routing();
        if (hints.backend() != null) {
            return RouteReason.PINNED;
        }
        if (hints.localOnly()) {
            return RouteReason.LOCAL_ONLY;
        }
        if (spec.lora() != null) {
            // Only the models with the LoRA were capable: say where it lives when that decided the backend.
            List<CatalogModel> withLora = allowed.stream().filter(m -> m.applies(spec.lora())).toList();
            if (withLora.stream().allMatch(CatalogModel::isLocal)) {
                return RouteReason.LORA_REQUIRES_LOCAL;
            }
            if (withLora.stream().allMatch(CatalogModel::isRemote)) {
                return RouteReason.LORA_REQUIRES_REMOTE;
            }
        }
        if (!auto) {
            return RouteReason.MODEL_REQUESTED;
        }
        // A model that is not deployed here is no preference of ours: leave it out of the comparison.
        List<Option> servable = capable.stream()
                .filter(o -> rejectionOf.get(o.model) != RejectionReason.MODEL_NOT_LOADED)
                .toList();
        // What the chosen model stands in for: the cloud for every self-hosted model (in-JVM and remote), a remote
        // server for the in-JVM engine. A "requires" reason is given only when none of those could do it.
        Predicate<CatalogModel> standsInFor = chosen.model.isCloud() ? CatalogModel::isSelfHosted
                : CatalogModel::isLocal;
        boolean anyAlternativeAllowed = allowed.stream().anyMatch(standsInFor);
        boolean anyAlternativeServable = servable.stream().anyMatch(o -> standsInFor.test(o.model));
        if (!chosen.model.isLocal() && anyAlternativeAllowed && !anyAlternativeServable) {
            Set<RejectionReason> missing = EnumSet.noneOf(RejectionReason.class);
            allowed.stream().filter(standsInFor).map(rejectionOf::get)
                    .filter(r -> r != null && r.stage() == RejectionReason.Stage.CAPABILITY
                            && r != RejectionReason.LORA_UNSUPPORTED)
                    .forEach(missing::add);
            if (missing.isEmpty()) {
                return hints.objective() == RoutingHints.Objective.LATENCY ? RouteReason.FASTEST : RouteReason.CHEAPEST;
            }
            boolean cloud = chosen.model.isCloud();
            if (missing.contains(RejectionReason.KIND_UNSUPPORTED)) {
                return cloud ? RouteReason.I2V_REQUIRES_CLOUD : RouteReason.I2V_REQUIRES_REMOTE;
            }
            if (missing.contains(RejectionReason.AUDIO_UNSUPPORTED)) {
                return cloud ? RouteReason.AUDIO_REQUIRES_CLOUD : RouteReason.AUDIO_REQUIRES_REMOTE;
            }
            if (missing.contains(RejectionReason.SECONDS_UNSUPPORTED)) {
                return cloud ? RouteReason.SECONDS_REQUIRES_CLOUD : RouteReason.SECONDS_REQUIRES_REMOTE;
            }
            return cloud ? RouteReason.SIZE_REQUIRES_CLOUD : RouteReason.SIZE_REQUIRES_REMOTE;
        }
        Option ideal = servable.stream().min(order).orElse(chosen); // (the first of the cheapest, as sorted)
        if (ideal.model != chosen.model) {
            RejectionReason why = rejectionOf.get(ideal.model);
            if (why != null) {
                switch (why.stage()) {
                    case HEALTH -> {
                        return ideal.model.isLocal() ? RouteReason.LOCAL_UNAVAILABLE
                                : ideal.model.isCloud() ? RouteReason.CLOUD_UNAVAILABLE : RouteReason.REMOTE_UNAVAILABLE;
                    }
                    case CONSTRAINT -> {
                        return switch (why) {
                            case OVER_MAX_COST -> RouteReason.OVER_MAX_COST;
                            case BUDGET -> RouteReason.BUDGET;
                            default -> RouteReason.DEADLINE;
                        };
                    }
                    default -> {
                        // Policy and capability rejections never reach the ranking.
                    }
                }
            }
        }
        return hints.objective() == RoutingHints.Objective.LATENCY ? RouteReason.FASTEST : RouteReason.CHEAPEST;
    }

    /**
     * No allowed model can serve the request. The field named is the first one, in the order kind, audio, size,
     * length, that no model satisfies together with the ones before it, so the caller learns what to change.
     */
    private static NoRouteException callerCannotBeServed(GenerationSpec spec, List<CatalogModel> allowed,
            List<RejectedCandidate> rejected, RoutingHints hints) {
        String scope = hints.localOnly() ? " with routing.local_only"
                : hints.backend() != null ? " on the " + hints.backend() + " backend" : "";
        if (spec.lora() != null && allowed.stream().noneMatch(m -> m.applies(spec.lora()))) {
            return new NoRouteException(400, "lora", "lora_unsupported", "No model here applies the LoRA '"
                    + spec.lora() + "'" + scope + "; the in-JVM engine's Wan 2.2 models apply gateway.local.loras,"
                    + " a remote engine's models their configured loras.", rejected);
        }
        if (spec.lora() != null) {
            allowed = allowed.stream().filter(m -> m.applies(spec.lora())).toList();
        }
        List<CatalogModel> left = allowed.stream().filter(m -> m.kinds().contains(spec.kind())).toList();
        if (left.isEmpty()) {
            return new NoRouteException(400, "input_reference", "kind_unsupported",
                    "No model does " + kindName(spec.kind()) + scope + ".", rejected);
        }
        List<CatalogModel> withAudio = left.stream().filter(m -> m.supports(spec.audio())).toList();
        if (withAudio.isEmpty()) {
            String what = spec.audio() instanceof AudioSpec.FromUrl ? "synchronise video to a given audio track"
                    : "generate audio";
            return new NoRouteException(400, "audio", "audio_unsupported",
                    "No model can " + what + scope + (hints.localOnly() ? "; audio is only available in the cloud."
                            : "."), rejected);
        }
        List<CatalogModel> withSize = withAudio.stream().filter(m -> m.tierOf(sizeFor(spec, m)).isPresent()).toList();
        if (withSize.isEmpty()) {
            String offered = withAudio.stream().flatMap(m -> m.allSizes().stream()).distinct()
                    .map(VideoSize::toString).collect(Collectors.joining(", "));
            return new NoRouteException(400, "size", "size_unsupported", "No model produces size "
                    + spec.size() + " for this request" + scope + ". Sizes offered: " + offered + ".", rejected);
        }
        String offered = withSize.stream().flatMap(m -> m.seconds().stream()).distinct().sorted()
                .map(String::valueOf).collect(Collectors.joining(", "));
        return new NoRouteException(400, "seconds", "seconds_unsupported", "No model produces " + spec.seconds()
                + "-second clips at this size" + scope + ". Lengths offered: " + offered + " s.", rejected);
    }

    private static boolean meetsConstraints(Option o, RoutingHints hints, Map<String, BigDecimal> headroom) {
        BigDecimal cost = o.candidate.estimatedCostUsd();
        BigDecimal left = headroom.get(o.model.backend());
        return (hints.maxCostUsd() == null || cost.compareTo(hints.maxCostUsd()) <= 0)
                && (left == null || cost.compareTo(left) <= 0)
                && (hints.deadline() == null || o.candidate.estimatedTime().compareTo(hints.deadline()) <= 0);
    }

    /** Whether a health rejection may clear by itself: a breaker, a full queue, a backend still getting ready. */
    private static boolean isTemporary(RejectionReason reason) {
        return reason == RejectionReason.NOT_READY || reason == RejectionReason.BREAKER_OPEN
                || reason == RejectionReason.QUEUE_FULL;
    }

    /**
     * Every capable model is one this deployment does not serve (not loaded, or its backend not configured): the
     * caller is told which field the models that are served cannot satisfy, as if the others did not exist.
     */
    private static NoRouteException notDeployed(GenerationSpec spec, List<CatalogModel> allowed, RoutingContext ctx,
            List<RejectedCandidate> rejected, RoutingHints hints) {
        List<CatalogModel> deployed = allowed.stream().filter(m -> {
            BackendHealth h = ctx.health().get(m.backend());
            return h != null && h.serves(m.id());
        }).toList();
        if (deployed.isEmpty()) {
            return new NoRouteException(400, GenerationSpec.AUTO_MODEL.equals(spec.model()) ? null : "model",
                    "model_not_deployed", "The models that could serve this request are not deployed here: "
                            + sentences(rejected, r -> r == RejectionReason.MODEL_NOT_LOADED
                                    || r == RejectionReason.NOT_READY), rejected);
        }
        return callerCannotBeServed(spec, deployed, rejected, hints);
    }

    /** What a budget rejection adds about the budget's policy when spent; nothing for {@code reject}. */
    private static String policyNote(WhenExhausted policy) {
        return switch (policy) {
            case REJECT -> "";
            case LOCAL_ONLY -> " (its policy when spent, local_only, leaves only owned engines)";
            case LOWER_TIER -> " (its policy when spent is lower_tier)";
            case QUEUE -> " (its policy when spent is queue)";
        };
    }

    private static NoRouteException constraintsCannotBeMet(List<Option> healthy, List<Option> unhealthy,
            List<RejectedCandidate> rejected, RoutingHints hints, Map<String, BigDecimal> headroom,
            WhenExhausted policy) {
        // Our fault only if a backend that is down now could have met every constraint.
        List<Option> downButFitting = unhealthy.stream().filter(o -> meetsConstraints(o, hints, headroom)).toList();
        if (!downButFitting.isEmpty()) {
            return new NoRouteException(503, null, "backend_unavailable",
                    "The backends that could meet the request's constraints are unavailable right now: "
                            + sentences(rejected, Router::isTemporary),
                    rejected);
        }
        List<Option> withinMax = healthy.stream()
                .filter(o -> hints.maxCostUsd() == null
                        || o.candidate.estimatedCostUsd().compareTo(hints.maxCostUsd()) <= 0)
                .toList();
        if (withinMax.isEmpty()) {
            BigDecimal cheapest = healthy.stream().map(o -> o.candidate.estimatedCostUsd())
                    .min(BigDecimal::compareTo).orElseThrow();
            return new NoRouteException(400, "routing.max_cost_usd", "max_cost_too_low",
                    "The cheapest option costs $" + cheapest.toPlainString() + ", above max_cost_usd $"
                            + hints.maxCostUsd().toPlainString() + ".", rejected);
        }
        List<Option> withinBudget = withinMax.stream()
                .filter(o -> !headroom.containsKey(o.model.backend())
                        || o.candidate.estimatedCostUsd().compareTo(headroom.get(o.model.backend())) <= 0)
                .toList();
        if (withinBudget.isEmpty()) {
            return new NoRouteException(402, null, "budget_exceeded",
                    "Every option that fits the request costs more than is left in the budget" + switch (policy) {
                        case REJECT -> ".";
                        case LOCAL_ONLY -> "; its policy when spent, local_only, leaves only owned engines, and "
                                + "none of them can make this request.";
                        case LOWER_TIER -> "; its policy when spent is lower_tier: give routing.lower_tier_size, a"
                                + " smaller size the request may run at.";
                        case QUEUE -> "; its policy when spent is queue: the request waits for an owned engine or"
                                + " the budget.";
                    }, rejected);
        }
        Duration fastestService = withinBudget.stream().map(Option::serviceTime).min(Duration::compareTo)
                .orElseThrow();
        if (fastestService.compareTo(hints.deadline()) <= 0) {
            return new NoRouteException(503, null, "deadline_unreachable_now",
                    "The request could meet its deadline of " + hints.deadline().toSeconds()
                            + " s on an idle backend, but not with the current queue.", rejected);
        }
        return new NoRouteException(400, "routing.deadline_seconds", "deadline_too_short",
                "The fastest option needs about " + fastestService.toSeconds() + " s, beyond the deadline of "
                        + hints.deadline().toSeconds() + " s.", rejected);
    }

    private static RejectionReason.Stage stageOf(RejectedCandidate r) {
        RejectionReason reason = RejectionReason.ofCode(r.reason());
        return reason == null ? null : reason.stage();
    }

    private static String sentences(List<RejectedCandidate> rejected, Predicate<RejectionReason> which) {
        return rejected.stream()
                .filter(r -> {
                    RejectionReason reason = RejectionReason.ofCode(r.reason());
                    return reason != null && which.test(reason);
                })
                .map(RejectedCandidate::detail).distinct().collect(Collectors.joining(" "));
    }

    private static void reject(List<RejectedCandidate> rejected, Map<CatalogModel, RejectionReason> rejectionOf,
            CatalogModel m, RejectionReason reason, String detail) {
        rejected.add(new RejectedCandidate(m.backend(), m.id(), reason.code(), detail));
        rejectionOf.put(m, reason);
    }
}
