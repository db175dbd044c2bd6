package dev.wanhybrid.gateway.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.constructors;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The states a {@link Job} is built in, and that only the store builds one field by field. */
class JobTest {

    @Test
    void theBackendTaskIsDueAtSubmissionPlusTheDeadlineAndUndatedWithoutOne() {
        Job undated = JobStoreTest.newJob("video_undated", "local");
        dev.wanhybrid.gateway.generation.GenerationSpec s = undated.spec();
        var withDeadline = new dev.wanhybrid.gateway.generation.GenerationSpec(s.tenant(), s.model(), s.kind(),
                s.prompt(), null, null, s.seconds(), null, null, null, null, new dev.wanhybrid.gateway.generation.RoutingHints(
                        null, dev.wanhybrid.gateway.generation.RoutingHints.Objective.COST, null,
                        java.time.Duration.ofMinutes(15), false));
        Job dated = Job.accepted("video_dated", withDeadline, undated.route(), undated.createdAt());

        assertThat(JobProcessor.task(undated).dueBy()).isNull();
        assertThat(JobProcessor.task(dated).dueBy()).isEqualTo(undated.createdAt().plusSeconds(900));
    }

    @Test
    void anAcceptedJobIsQueuedOnItsFirstCandidateWithItsEstimateAndDueAtOnce() {
        Job job = JobStoreTest.newJob("video_new", "cloud");
        assertThat(job.tenant()).isEqualTo(job.spec().tenant()).isEqualTo("acme");
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.phase()).isEqualTo(JobPhase.QUEUED);
        assertThat(job.requestedModel()).isEqualTo("auto");
        assertThat(job.backend()).isEqualTo("cloud");
        assertThat(job.model()).isEqualTo("m-cloud");
        assertThat(job.candidateIndex()).isZero();
        assertThat(job.currentCandidate()).isEqualTo(job.route().candidates().getFirst());
        assertThat(job.estimateUsd()).isEqualByComparingTo(new BigDecimal("0.10"));
        assertThat(job.taskId()).isNull();
        assertThat(job.progress()).isZero();
        assertThat(job.actualUsd()).isNull();
        assertThat(job.resultKey()).isNull();
        assertThat(job.resultSize()).isNull();
        assertThat(job.resultSha256()).isNull();
        assertThat(job.errorCode()).isNull();
        assertThat(job.errorMessage()).isNull();
        assertThat(job.cancelRequested()).isFalse();
        assertThat(job.deleted()).isFalse();
        assertThat(job.attempts()).isZero();
        assertThat(job.polls()).isZero();
        assertThat(job.leaseOwner()).isNull();
        assertThat(job.leaseExpiresAt()).isNull();
        assertThat(job.nextAttemptAt()).isEqualTo(JobStoreTest.T0);
        assertThat(job.createdAt()).isEqualTo(JobStoreTest.T0);
        assertThat(job.updatedAt()).isEqualTo(JobStoreTest.T0);
        assertThat(job.completedAt()).isNull();
        assertThat(job.version()).isZero();
    }

    @Test
    void withPollsChangesThePollCountOnly() {
        Job job = JobStoreTest.newJob("video_p", "local");
        Job polled = job.withPolls(7);
        assertThat(polled.polls()).isEqualTo(7);
        assertThat(polled.withPolls(0)).isEqualTo(job);
    }

    @Test
    void onlyTheStoreBuildsAJobFieldByField() {
        JavaClasses production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("dev.wanhybrid.gateway");
        constructors().that().areDeclaredIn(Job.class).should().onlyBeCalled()
                .byClassesThat().belongToAnyOf(Job.class, JobStore.class)
                .check(production);
    }
}
