package dev.wanhybrid.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.internal.SuspendableEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Suspending a generation at a step boundary and resuming it gives bit for bit the final latents (and the MP4)
 * of the uninterrupted run: Wan 2.1, Wan 2.2 TI2V text- and image-to-video, and the A14B expert pair (suspended on
 * either side of its expert switch), with both samplers, suspended once early, once late and twice.
 */
class SuspendResumeTest {

    /** Four steps: at shift 12 the A14B pair runs steps 0-2 on the high-noise expert and step 3 on the low one. */
    private static final int STEPS = 4;

    @TempDir
    static Path temp;

    private static VideoEngine wan21;
    private static VideoEngine wan22;
    private static VideoEngine a14b;
    private static byte[] png;
    private static int[] size22;

    @BeforeAll
    static void load() throws Exception {
        wan21 = WanEngines.load(WanEnginesTest.tinyCheckpoint(temp.resolve("wan21")), WanEnginesTest.options());
        wan22 = WanEngines.load(Wan22EnginesTest.tinyCheckpoint(temp.resolve("wan22")),
                EngineOptions.cpu().withTextLength(FixtureSets.of(Fixtures.wan22()).textLength()));
        a14b = WanEngines.load(Wan22A14bLayoutTest.a14bFolder(temp.resolve("a14b")), WanEnginesTest.options());
        png = Fixtures.i2vImagePng(Fixtures.wan22());
        size22 = FixtureSets.of(Fixtures.wan22()).size();
    }

    @AfterAll
    static void close() {
        Stream.of(wan21, wan22, a14b).filter(e -> e != null).forEach(VideoEngine::close);
    }

    private static VideoEngine engine(String model) {
        return switch (model) {
            case "wan21" -> wan21;
            case "wan22-t2v", "wan22-i2v" -> wan22;
            case "a14b" -> a14b;
            default -> throw new IllegalArgumentException(model);
        };
    }

    private static EngineRequest request(String model, String sampler) {
        return switch (model) {
            case "wan21", "a14b" -> new EngineRequest("a cat walks on the grass", "", 64, 48, 5, STEPS, 5.0, 7,
                    sampler);
            case "wan22-t2v" -> new EngineRequest("a cat walks on the grass", "", size22[0], size22[1], 5, STEPS, 5.0,
                    7, sampler);
            case "wan22-i2v" -> new EngineRequest("a cat walks on the grass", "", size22[0], size22[1], 5, STEPS, 5.0,
                    7, sampler).withImage(png);
            default -> throw new IllegalArgumentException(model);
        };
    }

    static Stream<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        for (String model : List.of("wan21", "wan22-t2v", "wan22-i2v", "a14b")) {
            for (String sampler : List.of("unipc", "euler")) {
                runs.add(Arguments.of(model, sampler));
            }
        }
        return runs.stream();
    }

    /** A run's final latents, MP4 bytes and progress. */
    private record Run(HostTensor latents, byte[] mp4, List<Integer> progress, List<SuspendedGeneration> states) {}

    /** The final latents of every finished run of {@code engine} go to {@code sink} (null: nowhere). */
    private static void observe(VideoEngine engine, Consumer<HostTensor> sink) {
        ((SuspendableEngine<?>) engine).observeFinalLatents(sink);
    }

    /**
     * Runs {@code request}, suspending before each step in {@code suspendAt} (ascending) and resuming, each state
     * first passed through its byte form when {@code viaBytes}; {@code tamper} may change a state before resuming.
     */
    private static Run run(VideoEngine engine, EngineRequest request, String name, boolean viaBytes,
            java.util.function.UnaryOperator<SuspendedGeneration> tamper, int... suspendAt) throws Exception {
        AtomicReference<HostTensor> latents = new AtomicReference<>();
        observe(engine, latents::set);
        try {
            List<Integer> progress = new ArrayList<>();
            List<SuspendedGeneration> states = new ArrayList<>();
            Path out = temp.resolve(name + ".mp4");
            EngineOutcome outcome = engine.generate(request, progress::add, out,
                    suspendAt.length > 0 ? Suspension.beforeStep(suspendAt[0]) : null);
            for (int i = 1; outcome.isSuspended(); i++) {
                assertThat(out).doesNotExist();
                assertThat(latents.get()).as("no final latents while suspended").isNull();
                SuspendedGeneration state = outcome.suspended();
                states.add(state);
                assertThat(state.nextStep()).isEqualTo(suspendAt[i - 1]);
                if (viaBytes) {
                    state = SuspendedGeneration.fromBytes(state.toBytes());
                }
                outcome = engine.resume(tamper.apply(state), progress::add, out,
                        i < suspendAt.length ? Suspension.beforeStep(suspendAt[i]) : null);
            }
            assertThat(states).hasSize(suspendAt.length);
            return new Run(latents.get(), Files.readAllBytes(out), progress, states);
        } finally {
            observe(engine, null);
        }
    }

    private static Run uninterrupted(String model, String sampler) throws Exception {
        return run(engine(model), request(model, sampler), model + "-" + sampler + "-whole", false, s -> s);
    }

    /** What the suspended-and-resumed progress should be: the whole run's, the resumed step repeated. */
    private static List<Integer> withResumePoints(List<Integer> whole, int... suspendAt) {
        List<Integer> expected = new ArrayList<>(whole);
        // whole = 0, 5, then one value per step; a resume repeats the value after its last finished step.
        for (int j = suspendAt.length - 1; j >= 0; j--) {
            int afterSteps = 1 + suspendAt[j];
            expected.add(afterSteps + 1, expected.get(afterSteps));
        }
        return expected;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("runs")
    void suspendedAndResumedRunsEqualTheUninterruptedOneBitForBit(String model, String sampler) throws Exception {
        Run whole = uninterrupted(model, sampler);
        assertThat(whole.latents()).isNotNull();
        for (int[] at : List.of(new int[] {1}, new int[] {STEPS - 2}, new int[] {1, STEPS - 1})) {
            String name = model + "-" + sampler + "-at" + java.util.Arrays.toString(at).replaceAll("\\D+", "-");
            Run resumed = run(engine(model), request(model, sampler), name, at.length > 1, s -> s, at);
            assertThat(resumed.latents()).as("final latents after suspending at %s", java.util.Arrays.toString(at))
                    .isEqualTo(whole.latents());
            assertThat(resumed.mp4()).as("MP4 after suspending at %s", java.util.Arrays.toString(at))
                    .isEqualTo(whole.mp4());
            assertThat(resumed.progress()).isEqualTo(withResumePoints(whole.progress(), at)).endsWith(100);
        }
    }

    @Test
    void resumingWithoutTheUniPcHistoryGivesOtherLatents() throws Exception {
        // The exactness check above must be able to fail: a resume that restarts UniPC from the latents alone
        // (no model outputs, no last sample, lower-order counter reset) is a different computation.
        for (String model : List.of("wan21", "wan22-i2v")) {
            Run whole = uninterrupted(model, "unipc");
            Run forgetful = run(engine(model), request(model, "unipc"), model + "-forgetful", false, s -> {
                Map<String, HostTensor> tensors = new LinkedHashMap<>(s.tensors());
                tensors.keySet().removeIf(k -> k.startsWith("sampler.modelOutput") || k.equals("sampler.lastSample"));
                Map<String, Long> counters = new LinkedHashMap<>(s.counters());
                counters.put("sampler.lowerOrderNums", 0L);
                counters.put("sampler.thisOrder", 0L);
                return new SuspendedGeneration(s.modelId(), s.request(), s.nextStep(), tensors, counters);
            }, STEPS - 2);
            assertThat(forgetful.latents()).isNotEqualTo(whole.latents());
        }
    }

    @Test
    void theStateKeepsLatentsContextsAndTheUniPcHistoryAndSurvivesItsByteForm() throws Exception {
        Run run = run(wan22, request("wan22-i2v", "unipc"), "state-i2v", false, s -> s, 2);
        SuspendedGeneration state = run.states().get(0);
        assertThat(state.tensors()).containsOnlyKeys("latents", "context", "contextNull", "image",
                "sampler.modelOutput.0", "sampler.modelOutput.1", "sampler.lastSample");
        assertThat(state.counters()).containsEntry("sampler.index", 2L).containsEntry("sampler.lowerOrderNums", 2L)
                .containsKey("sampler.thisOrder");
        HostTensor latents = state.tensors().get("latents");
        assertThat(latents.dtype()).isEqualTo("Float");
        // [z, F, h, w] as the finished run's latents, its float32 bytes all there.
        assertThat(latents.shape()).isEqualTo(run.latents().shape());
        assertThat((long) latents.data().length).isEqualTo(4 * latents.numel());
        // The scheduler sees the batch of one: [1, z, F, h, w].
        assertThat(state.tensors().get("sampler.lastSample").shape()).hasSize(5).endsWith(
                state.tensors().get("latents").shape());
        assertThat(state.steps()).isEqualTo(STEPS);
        assertThat(state.request().image()).isEqualTo(png);

        SuspendedGeneration back = SuspendedGeneration.fromBytes(state.toBytes());
        assertThat(back.modelId()).isEqualTo(state.modelId());
        assertThat(back.nextStep()).isEqualTo(state.nextStep());
        assertThat(back.tensors()).isEqualTo(state.tensors());
        assertThat(back.counters()).isEqualTo(state.counters());
        assertThat(back.request()).usingRecursiveComparison().isEqualTo(state.request());
        byte[] bytes = state.toBytes();
        assertThatThrownBy(() -> SuspendedGeneration.fromBytes(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eulerKeepsOnlyItsStepIndex() throws Exception {
        SuspendedGeneration euler = run(wan21, request("wan21", "euler"), "state-euler", false, s -> s, 1)
                .states().get(0);
        assertThat(euler.tensors()).containsOnlyKeys("latents", "context", "contextNull");
        assertThat(euler.counters()).containsExactly(Map.entry("sampler.index", 1L));
    }

    @Test
    void corruptBytesAreRejectedAsIllegalArguments() {
        SuspendedGeneration state = new SuspendedGeneration("m", request("wan21", "euler"), 1,
                Map.of("latents", new HostTensor(new long[] {2, 3}, "Float", new byte[24])),
                Map.of("sampler.index", 1L));
        byte[] bytes = state.toBytes();
        assertThat(SuspendedGeneration.fromBytes(bytes).tensors()).isEqualTo(state.tensors());
        // The tensor record: name, dtype "Float" (length 5), rank, the dims, then the data's byte length.
        byte[] dtype = {0, 0, 0, 5, 'F', 'l', 'o', 'a', 't'};
        int rankAt = indexOf(bytes, dtype) + dtype.length;
        assertThat(java.nio.ByteBuffer.wrap(bytes, rankAt, 4).getInt()).isEqualTo(2);
        int lengthAt = rankAt + 4 + 2 * 8;
        assertThat(java.nio.ByteBuffer.wrap(bytes, lengthAt, 4).getInt()).isEqualTo(24);
        for (int[] patch : List.of(new int[] {rankAt, 0x7fffffff}, new int[] {lengthAt, -5})) {
            byte[] corrupt = bytes.clone();
            java.nio.ByteBuffer.wrap(corrupt).putInt(patch[0], patch[1]);
            assertThatThrownBy(() -> SuspendedGeneration.fromBytes(corrupt))
                    .as("field at %d set to %d", patch[0], patch[1])
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(patch[1]));
        }
        assertThatThrownBy(() -> new HostTensor(new long[] {2}, null, new byte[8]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostTensor(new long[] {-2}, "Float", new byte[8]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void aRequestedSuspensionIsSpentByTheSuspensionItCauses() throws Exception {
        Suspension suspension = new Suspension();
        suspension.request();
        List<Integer> progress = new ArrayList<>();
        Path out = temp.resolve("one-shot.mp4");
        EngineOutcome first = wan21.generate(request("wan21", "euler"), progress::add, out, suspension);
        assertThat(first.isSuspended()).isTrue();
        assertThat(first.suspended().nextStep()).isZero();
        assertThat(suspension.isRequested()).isFalse();
        // The same object again: no new request, so the resumed run goes to the end.
        EngineOutcome resumed = wan21.resume(first.suspended(), progress::add, out, suspension);
        assertThat(resumed.isSuspended()).isFalse();
        assertThat(resumed.result().mp4()).isEqualTo(out).exists();
        assertThat(progress).endsWith(100);
    }

    @Test
    void suspensionAskedDuringTheLastStepFinishesTheVideo() throws Exception {
        Suspension suspension = new Suspension();
        List<Integer> progress = new ArrayList<>();
        Path out = temp.resolve("asked-late.mp4");
        EngineOutcome outcome = wan21.generate(request("wan21", "unipc"), percent -> {
            progress.add(percent);
            if (percent == 90) { // the last step's tick: the request arrives after the last step
                suspension.request();
            }
        }, out, suspension);
        assertThat(suspension.isRequested()).isTrue();
        assertThat(outcome.isSuspended()).isFalse();
        assertThat(outcome.result().mp4()).isEqualTo(out).exists();
        assertThat(progress).endsWith(100);
        // Suspending "before" a step past the end never fires either.
        assertThat(wan21.generate(request("wan21", "euler"), null, temp.resolve("past-end.mp4"),
                Suspension.beforeStep(STEPS)).isSuspended()).isFalse();
    }

    @Test
    void suspensionRequestedFromAnotherThreadStopsAtTheNextBoundary() throws Exception {
        Suspension suspension = new Suspension();
        List<Integer> progress = new ArrayList<>();
        EngineOutcome outcome = wan21.generate(request("wan21", "unipc"), percent -> {
            progress.add(percent);
            if (progress.size() == 3) { // after step 0's tick
                Thread other = new Thread(suspension::request);
                other.start();
                try {
                    other.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }, temp.resolve("asked.mp4"), suspension);
        assertThat(outcome.isSuspended()).isTrue();
        assertThat(outcome.suspended().nextStep()).isEqualTo(1);
        assertThat(temp.resolve("asked.mp4")).doesNotExist();
    }

    @Test
    void aStateResumesOnlyOnItsOwnModel() throws Exception {
        SuspendedGeneration state = run(wan22, request("wan22-t2v", "euler"), "other-model", false, s -> s, 1)
                .states().get(0);
        assertThatThrownBy(() -> wan21.resume(state, null, temp.resolve("wrong.mp4")))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.isInvalidRequest()).isTrue())
                .hasMessageContaining(state.modelId());
    }
}
